package sim

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func d(m woocommerce.Money) decimal.Decimal { return m.Decimal() }

// checkConsistent asserts the identities a finance flow relies on, to the cent.
func checkConsistent(t *testing.T, o woocommerce.Order) {
	t.Helper()
	subtotals, totals, lineTax, feeTotal, feeTax, shipTotal, shipTax := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for _, li := range o.LineItems {
		subtotals, totals, lineTax = subtotals.Add(d(li.Subtotal)), totals.Add(d(li.Total)), lineTax.Add(d(li.TotalTax))
		perRate := decimal.Zero
		for _, tx := range li.Taxes {
			perRate = perRate.Add(d(tx.Total))
		}
		if !perRate.Equal(d(li.TotalTax)) {
			t.Errorf("order %d line %d: taxes[] sum %s != total_tax %s", o.ID, li.ID, perRate, li.TotalTax)
		}
	}
	for _, fl := range o.FeeLines {
		feeTotal, feeTax = feeTotal.Add(d(fl.Total)), feeTax.Add(d(fl.TotalTax))
	}
	for _, sl := range o.ShippingLines {
		shipTotal, shipTax = shipTotal.Add(d(sl.Total)), shipTax.Add(d(sl.TotalTax))
	}
	taxLines := decimal.Zero
	for _, tl := range o.TaxLines {
		taxLines = taxLines.Add(d(tl.TaxTotal)).Add(d(tl.ShippingTaxTotal))
	}
	checks := map[string][2]decimal.Decimal{
		"subtotals - discount_total == line totals":            {subtotals.Sub(d(o.DiscountTotal)), totals},
		"lines + shipping + fees - discounts + taxes == total": {subtotals.Add(shipTotal).Add(feeTotal).Sub(d(o.DiscountTotal)).Add(d(o.TotalTax)), d(o.Total)},
		"cart_tax == line taxes + fee taxes":                   {lineTax.Add(feeTax), d(o.CartTax)},
		"shipping_tax == shipping line taxes":                  {shipTax, d(o.ShippingTax)},
		"total_tax == cart_tax + shipping_tax":                 {d(o.CartTax).Add(d(o.ShippingTax)), d(o.TotalTax)},
		"tax_lines sum == total_tax":                           {taxLines, d(o.TotalTax)},
		"shipping_total == shipping lines":                     {shipTotal, d(o.ShippingTotal)},
	}
	for name, c := range checks {
		if !c[0].Equal(c[1]) {
			t.Errorf("order %d: %s: %s != %s", o.ID, name, c[0], c[1])
		}
	}
	if len(o.CouponLines) > 0 && !d(o.CouponLines[0].Discount).Equal(d(o.DiscountTotal)) {
		t.Errorf("order %d: coupon discount %s != discount_total %s", o.ID, o.CouponLines[0].Discount, o.DiscountTotal)
	}
}

func TestStorefrontOrdersAreConsistentToTheCent(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 20, VariableProducts: 3, VariationsEach: 4, Customers: 5})
	rateCodes, currencies := map[string]bool{}, map[string]bool{}
	var multiRate, guests, registered, coupons, fees int
	for range 300 {
		o, err := f.s.PlaceOrder(f.s.RandomOrder())
		if err != nil {
			t.Fatal(err)
		}
		checkConsistent(t, o)
		for _, tl := range o.TaxLines {
			rateCodes[tl.RateCode] = true
		}
		if len(o.TaxLines) > 1 {
			multiRate++
		}
		currencies[o.Currency] = true
		if o.CustomerID == 0 {
			guests++
		} else {
			registered++
		}
		if len(o.CouponLines) > 0 {
			coupons++
		}
		if len(o.FeeLines) > 0 {
			fees++
		}
	}
	if !rateCodes["US-CA-STATE TAX-1"] || !rateCodes["US-CA-COUNTY TAX-2"] || multiRate == 0 {
		t.Errorf("rate codes %v, %d orders with several rates", rateCodes, multiRate)
	}
	if len(currencies) < 3 || guests == 0 || registered == 0 || coupons == 0 || fees == 0 {
		t.Errorf("currencies %v, guests %d, registered %d, coupons %d, fees %d", currencies, guests, registered, coupons, fees)
	}
}

func TestOrderShapesMoneyAsStringsAndPriceAsNumber(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 2})
	spec := OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 3}},
		ShippingLines: []ShippingSpec{{MethodID: "flat_rate", MethodTitle: "Flat rate", Total: woocommerce.MustMoney("5.00")}},
		Fees:          []FeeSpec{{Name: "Gift wrap", Total: woocommerce.MustMoney("2.00"), Taxable: true}}, Coupon: "take5", PaymentMethod: "stripe", Paid: true}
	o, err := f.s.PlaceOrder(spec)
	if err != nil {
		t.Fatal(err)
	}
	a := f.call("GET", "/orders/"+itoa(o.ID), nil, nil)
	body := string(a.body)
	money := regexp.MustCompile(`"(total|subtotal|total_tax|discount_total|shipping_total|cart_tax|tax_total)":"-?\d+\.\d{2}"`)
	if len(money.FindAllString(body, -1)) < 10 {
		t.Errorf("money fields are not decimal strings: %s", body)
	}
	if !regexp.MustCompile(`"price":\d+(\.\d+)?[,}]`).MatchString(body) {
		t.Errorf("line_items price is not a JSON number: %s", body)
	}
	for _, field := range []string{`"date_created_gmt":"2026-03-01T12:00:00"`, `"date_paid_gmt":"2026-03-01T12:00:00"`, `"date_completed_gmt":null`} {
		if !strings.Contains(body, field) {
			t.Errorf("body lacks %s", field)
		}
	}
	// 3 x 9.99 = 29.97, minus 5.00 coupon = 24.97; CA 6% + 1.25% on 24.97 and 6% + 1.25% on the
	// 2.00 fee; 6% on 5.00 shipping.
	want := map[string]string{"discount_total": "5.00", "cart_tax": "1.96", "shipping_tax": "0.30", "total": "34.23"}
	got := map[string]string{"discount_total": o.DiscountTotal.String(), "cart_tax": o.CartTax.String(), "shipping_tax": o.ShippingTax.String(), "total": o.Total.String()}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	checkConsistent(t, o)
}

func TestCheckoutDraftAndStatusValidation(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	spec := OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}, Status: woocommerce.StatusCheckoutDraft}
	o, err := f.s.PlaceOrder(spec)
	if err != nil || o.Status != woocommerce.StatusCheckoutDraft {
		t.Fatalf("checkout-draft order %+v, %v", o, err)
	}
	a := f.call("PUT", "/orders/"+itoa(o.ID), nil, map[string]string{"status": "shipped"})
	if e := a.wcError(t); a.status != 400 || e.Code != "rest_invalid_param" {
		t.Errorf("unknown status: %d %+v", a.status, e)
	}
	if a := f.call("PUT", "/orders/424242", nil, map[string]string{"status": "completed"}); a.status != 400 || a.wcError(t).Code != "woocommerce_rest_shop_order_invalid_id" {
		t.Errorf("update of a missing order: %d %s", a.status, a.body)
	}
	if a := f.call("GET", "/orders/424242", nil, nil); a.status != 404 {
		t.Errorf("get of a missing order: %d", a.status)
	}
	a = f.call("POST", "/orders", nil, map[string]any{"line_items": []map[string]any{{"product_id": 424242, "quantity": 1}}})
	if a.status != 400 || a.wcError(t).Code != "woocommerce_rest_invalid_product_id" {
		t.Errorf("order for a missing product: %d %s", a.status, a.body)
	}
}

func TestRefundsHaveNegativeLinesAndCloseTheOrder(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	o, err := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 2}}, PaymentMethod: "stripe", Paid: true,
		ShippingLines: []ShippingSpec{{MethodID: "flat_rate", MethodTitle: "Flat rate", Total: woocommerce.MustMoney("7.50")}}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.Product(o.LineItems[0].ProductID)
	if *p.StockQuantity != 18 {
		t.Errorf("stock after a paid order of 2: %d, want 18", *p.StockQuantity)
	}
	li := o.LineItems[0]
	unitTax := []woocommerce.RefundRequestTax{}
	half := func(m woocommerce.Money) decimal.Decimal { return d(m).Div(decimal.NewFromInt(2)).Round(2) }
	amount := half(li.Total)
	for _, tx := range li.Taxes {
		v := half(tx.Total)
		unitTax = append(unitTax, woocommerce.RefundRequestTax{ID: tx.ID, RefundTotal: woocommerce.NewMoney(v)})
		amount = amount.Add(v)
	}
	req := woocommerce.RefundRequest{Amount: woocommerce.NewMoney(amount), Reason: "return",
		LineItems: []woocommerce.RefundRequestLine{{ID: li.ID, Quantity: 1, RefundTotal: woocommerce.NewMoney(half(li.Total)), RefundTax: unitTax}}}
	a := f.call("POST", "/orders/"+itoa(o.ID)+"/refunds", nil, req)
	if a.status != http.StatusCreated {
		t.Fatalf("refund: %d %s", a.status, a.body)
	}
	var rf woocommerce.Refund
	a.decode(t, &rf)
	rl := rf.LineItems[0]
	if rl.Quantity != -1 || !d(rl.Total).IsNegative() || !d(rl.TotalTax).IsNegative() || len(rl.Taxes) != len(li.Taxes) {
		t.Errorf("refund line %+v is not negative", rl)
	}
	if len(rl.MetaData) != 1 || rl.MetaData[0].Key != "_refunded_item_id" || string(rl.MetaData[0].Value) != itoa(li.ID) {
		t.Errorf("refund line meta %+v", rl.MetaData)
	}
	if p, _ = f.s.Product(li.ProductID); *p.StockQuantity != 19 {
		t.Errorf("stock after restocking 1: %d, want 19", *p.StockQuantity)
	}
	o, _ = f.s.Order(o.ID)
	if len(o.Refunds) != 1 || o.Refunds[0].Total.String() != woocommerce.NewMoney(amount.Neg()).String() || o.Status != woocommerce.StatusProcessing {
		t.Errorf("order after a partial refund: %+v status %s", o.Refunds, o.Status)
	}
	for _, tc := range []struct {
		amount string
		status int
		code   string
	}{{"0", 400, "woocommerce_rest_invalid_order_refund"}, {"100000.00", 500, "woocommerce_rest_cannot_create_order_refund"}} {
		a := f.call("POST", "/orders/"+itoa(o.ID)+"/refunds", nil, map[string]string{"amount": tc.amount})
		if e := a.wcError(t); a.status != tc.status || e.Code != tc.code {
			t.Errorf("refund of %s: %d %+v", tc.amount, a.status, e)
		}
	}
	left := d(o.Total).Sub(amount)
	ship := o.ShippingLines[0]
	a = f.call("POST", "/orders/"+itoa(o.ID)+"/refunds", nil, woocommerce.RefundRequest{Amount: woocommerce.NewMoney(left),
		LineItems: []woocommerce.RefundRequestLine{{ID: ship.ID, RefundTotal: ship.Total, RefundTax: []woocommerce.RefundRequestTax{{ID: ship.Taxes[0].ID, RefundTotal: ship.Taxes[0].Total}}}}})
	if a.status != http.StatusCreated {
		t.Fatalf("refund of the rest: %d %s", a.status, a.body)
	}
	a.decode(t, &rf)
	if len(rf.ShippingLines) != 1 || rf.ShippingLines[0].Total.String() != "-"+ship.Total.String() ||
		rf.ShippingLines[0].TotalTax.String() != "-"+ship.TotalTax.String() || string(rf.ShippingLines[0].MetaData[0].Value) != itoa(ship.ID) {
		t.Errorf("refunded shipping %+v", rf.ShippingLines)
	}
	if o, _ = f.s.Order(o.ID); o.Status != woocommerce.StatusRefunded {
		t.Errorf("status after a full refund %q, want refunded", o.Status)
	}
}

func TestAPIRefundAgainstAManualGatewayFails(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	o, _ := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}, PaymentMethod: "bacs", Paid: true})
	a := f.call("POST", "/orders/"+itoa(o.ID)+"/refunds", nil, map[string]string{"amount": "1.00"})
	if a.status != 500 || !strings.Contains(a.wcError(t).Message, "does not support automatic refunds") {
		t.Errorf("api_refund on bacs: %d %s", a.status, a.body)
	}
	if a := f.call("POST", "/orders/"+itoa(o.ID)+"/refunds", nil, map[string]any{"amount": "1.00", "api_refund": false}); a.status != http.StatusCreated {
		t.Errorf("manual refund on bacs: %d %s", a.status, a.body)
	}
}

func TestProductRules(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1, VariableProducts: 1, VariationsEach: 2})
	a := f.call("POST", "/products", nil, map[string]any{"name": "Dup", "sku": "HOODIE-001-S-0"})
	e := a.wcError(t)
	if a.status != 400 || e.Code != "product_invalid_sku" || e.Data.ResourceID == 0 {
		t.Errorf("SKU taken by a variation: %d %+v", a.status, e)
	}
	if v, ok := f.s.Variation(e.Data.ResourceID); !ok || v.SKU != "HOODIE-001-S-0" {
		t.Errorf("resource_id %d does not name the variation", e.Data.ResourceID)
	}
	var byProductRoute woocommerce.Variation
	f.call("GET", "/products/"+itoa(e.Data.ResourceID), nil, nil).decode(t, &byProductRoute)
	if byProductRoute.SKU != "HOODIE-001-S-0" || byProductRoute.ParentID == 0 {
		t.Errorf("GET /products/{variation id} served %+v", byProductRoute)
	}
	a = f.call("POST", "/products", nil, map[string]any{"name": "Sale", "regular_price": "20.00", "sale_price": "15.00", "manage_stock": true, "stock_quantity": 0, "backorders": "notify"})
	var p woocommerce.Product
	a.decode(t, &p)
	if p.Price.String() != "15.00" || p.StockStatus != woocommerce.StockOnBackorder {
		t.Errorf("price %s stock_status %s", p.Price, p.StockStatus)
	}
	a = f.call("PUT", "/products/"+itoa(p.ID), nil, map[string]any{"sale_price": ""})
	a.decode(t, &p)
	if p.Price.String() != "20.00" || !p.SalePrice.IsBlank() || !strings.Contains(string(a.body), `"sale_price":""`) {
		t.Errorf("after clearing the sale: %s", a.body)
	}
	if a := f.call("DELETE", "/webhooks/1", nil, nil); a.status != 501 && a.status != 404 {
		t.Errorf("webhook delete without force: %d", a.status)
	}
}
