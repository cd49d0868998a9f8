package mapping

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"k8s.io/utils/ptr"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/failure"
)

func usd(t testing.TB, amount string) canonical.Money {
	t.Helper()
	m, err := canonical.ParseMoney(amount, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func order(t testing.TB, status string) *canonical.Order {
	return &canonical.Order{
		StoreID: "1042", Number: "1042", Status: status, Currency: "USD", PaymentMethod: "stripe",
		Created:  time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC),
		Customer: canonical.Customer{StoreID: "7", Email: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace", Billing: canonical.Address{Country: "US"}},
		Lines: []canonical.OrderLine{{StoreID: "1", SKU: "HOODIE-BLK-M", Name: "Hoodie", Quantity: decimal.NewFromInt(2),
			Total: usd(t, "90.00")}},
		Shipping: []canonical.ShippingLine{{MethodID: "flat_rate", Total: usd(t, "5.00")}},
		Coupons:  []canonical.CouponLine{{Code: "TENOFF"}},
		Total:    usd(t, "102.26"), TotalTax: usd(t, "7.26"), DiscountTotal: usd(t, "10.00"),
		Meta: map[string]string{"_channel": "instagram"},
	}
}

func TestOrderActionDefaultsAndOverrides(t *testing.T) {
	m := mustCompile(t, acmeSpec()) // overrides: on-hold Skip, awaiting-pickup Create
	for status, want := range map[string]v1alpha1.OrderAction{
		"checkout-draft":  v1alpha1.OrderActionSkip,
		"pending":         v1alpha1.OrderActionSkip,
		"failed":          v1alpha1.OrderActionSkip,
		"processing":      v1alpha1.OrderActionCreate,
		"completed":       v1alpha1.OrderActionCreate,
		"refunded":        v1alpha1.OrderActionCreate,
		"cancelled":       v1alpha1.OrderActionCancel,
		"trash":           v1alpha1.OrderActionCancel,
		"on-hold":         v1alpha1.OrderActionSkip,
		"awaiting-pickup": v1alpha1.OrderActionCreate,
	} {
		if got, err := m.OrderAction(order(t, status)); err != nil || got != want {
			t.Errorf("OrderAction(%s) = %s, %v; want %s", status, got, err, want)
		}
	}
	_, err := m.OrderAction(order(t, "wc-custom-shipped"))
	wantFailure(t, err, failure.ReasonUnmapped, `order status "wc-custom-shipped" (order 1042) is not mapped by MappingSet acme/acme`)
}

func TestOrderActionIncludeExpressionSkipsOrders(t *testing.T) {
	spec := acmeSpec()
	spec.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldOrderInclude,
		Expression: `!customer.email.endsWith("@example.com") && !("TEST" in order.couponCodes)`}}
	m := mustCompile(t, spec)
	o := order(t, "processing")
	if got, _ := m.OrderAction(o); got != v1alpha1.OrderActionSkip {
		t.Errorf("test customer's order: action %s, want Skip", got)
	}
	o.Customer.Email = "grace@navy.example"
	if got, _ := m.OrderAction(o); got != v1alpha1.OrderActionCreate {
		t.Errorf("real order: action %s, want Create", got)
	}
	o.Status = "cancelled" // include only narrows Create: a cancellation still cancels
	if got, _ := m.OrderAction(o); got != v1alpha1.OrderActionCancel {
		t.Errorf("cancelled order: action %s, want Cancel", got)
	}
}

func TestStoreStatus(t *testing.T) {
	m := mustCompile(t, acmeSpec()) // override: Shipped -> shipped
	for state, want := range map[canonical.FulfillmentState]string{
		canonical.FulfillmentPartiallyShipped: "",
		canonical.FulfillmentShipped:          "shipped",
		canonical.FulfillmentCancelled:        "cancelled",
		canonical.FulfillmentOnHold:           "on-hold",
		canonical.FulfillmentClosed:           "",
	} {
		if got, err := m.StoreStatus(state); err != nil || got != want {
			t.Errorf("StoreStatus(%s) = %q, %v; want %q", state, got, err, want)
		}
	}
	if _, err := m.StoreStatus("Teleported"); err == nil {
		t.Error("an unknown fulfilment state must fail")
	}
	if m.EditPolicy() != v1alpha1.OrderEditUpdateDraft {
		t.Errorf("EditPolicy() = %s, want the default UpdateDraft", m.EditPolicy())
	}
}

func TestComputedOrderFields(t *testing.T) {
	spec := acmeSpec()
	spec.Expressions = []v1alpha1.ComputedField{
		{Field: v1alpha1.FieldOrderRemarks, Expression: `"Web order " + order.number + " via " + order.paymentMethod + " from " + order.meta["_channel"]`},
		{Field: v1alpha1.FieldOrderWarehouse, Expression: `order.shippingCountry == "CA" ? "Toronto - ACME" : ""`},
		{Field: v1alpha1.FieldLineWarehouse, Expression: `double(line.quantity) > 1.0 ? "Main - ACME" : "East - ACME"`},
		{Field: v1alpha1.FieldOrderCostCenter, Expression: `double(order.total) >= 100.0 ? "Large Orders - ACME" : "Web - ACME"`},
	}
	m := mustCompile(t, spec)
	o := order(t, "processing")
	f, err := m.OrderFields(o)
	if err != nil {
		t.Fatal(err)
	}
	want := OrderFields{Remarks: "Web order 1042 via stripe from instagram", CostCenter: "Large Orders - ACME"}
	if f != want {
		t.Errorf("OrderFields() = %+v, want %+v", f, want)
	}
	if wh, err := m.LineWarehouse(o, &o.Lines[0]); err != nil || wh != "Main - ACME" {
		t.Errorf("LineWarehouse() = %q, %v", wh, err)
	}
	// A missing meta key is an evaluation error: the order fails Unmapped, naming the field.
	delete(o.Meta, "_channel")
	_, err = m.OrderFields(o)
	wantFailure(t, err, failure.ReasonUnmapped, "order 1042 is not mapped by MappingSet acme/acme", "expression for order.remarks failed", "no such key")
}

func TestPlanCustomer(t *testing.T) {
	guest := func(o *canonical.Order) { o.Customer.StoreID = "" }
	for _, tc := range []struct {
		name   string
		spec   func(*v1alpha1.MappingSetSpec)
		order  func(*canonical.Order)
		want   CustomerPlan
		reason failure.Reason
	}{
		{name: "guest books against the guest customer", order: guest,
			want: CustomerPlan{Customer: "Web Guest"}},
		{name: "registered customer matched by email, created in the configured group",
			want: CustomerPlan{MatchBy: v1alpha1.MatchByEmail, Key: "ada@example.com", Create: &NewCustomer{
				Name: "Ada Lovelace", Email: "ada@example.com", StoreID: "7", Group: "Individual", Territory: "United States"}}},
		{name: "match by store customer id",
			spec: func(s *v1alpha1.MappingSetSpec) {
				s.Customers.MatchBy = v1alpha1.MatchByStoreCustomerID
				s.Customers.CreateMissing = ptr.To(false)
			},
			want: CustomerPlan{MatchBy: v1alpha1.MatchByStoreCustomerID, Key: "7"}},
		{name: "guest without a guest customer is matched by billing email",
			spec: func(s *v1alpha1.MappingSetSpec) {
				s.Customers.GuestCustomer = ""
				s.Customers.MatchBy = v1alpha1.MatchByStoreCustomerID
				s.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldCustomerGroup, Expression: `customer.company != "" ? "Commercial" : ""`}}
			},
			order: func(o *canonical.Order) {
				guest(o)
				o.Customer.Email, o.Customer.Company, o.Customer.Billing.Email = "", "Engines Ltd", "Buyer@Engines.example"
			},
			want: CustomerPlan{MatchBy: v1alpha1.MatchByEmail, Key: "buyer@engines.example", Create: &NewCustomer{
				Name: "Engines Ltd", Email: "buyer@engines.example", Group: "Commercial", Territory: "United States"}}},
		{name: "guest with no email and no guest customer fails",
			spec: func(s *v1alpha1.MappingSetSpec) { s.Customers.GuestCustomer = "" },
			order: func(o *canonical.Order) {
				guest(o)
				o.Customer.Email = ""
			},
			reason: failure.ReasonUnmapped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := acmeSpec()
			if tc.spec != nil {
				tc.spec(spec)
			}
			o := order(t, "processing")
			if tc.order != nil {
				tc.order(o)
			}
			got, err := mustCompile(t, spec).PlanCustomer(o)
			if tc.reason != "" {
				wantFailure(t, err, tc.reason, "the customer of order 1042 is not mapped by MappingSet acme/acme")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Customer != tc.want.Customer || got.MatchBy != tc.want.MatchBy || got.Key != tc.want.Key ||
				(got.Create == nil) != (tc.want.Create == nil) || (got.Create != nil && *got.Create != *tc.want.Create) {
				t.Errorf("PlanCustomer() = %+v (create %+v), want %+v (create %+v)", got, got.Create, tc.want, tc.want.Create)
			}
		})
	}
	m := mustCompile(t, acmeSpec())
	err := m.CustomerNotFound(order(t, "processing"), CustomerPlan{MatchBy: v1alpha1.MatchByEmail, Key: "ada@example.com"})
	wantFailure(t, err, failure.ReasonUnmapped, "the customer of order 1042 (matched by Email) is not mapped by MappingSet acme/acme", "createMissing is false")
	if strings.Contains(err.Error(), "ada@") {
		t.Errorf("CustomerNotFound() = %q: the email must not reach status or logs", err)
	}
}

func TestAccountsAndMethods(t *testing.T) {
	m := mustCompile(t, acmeSpec())
	if tax, err := m.TaxAccount("US-CA-STATE TAX-1"); err != nil || tax.Account != "Sales Tax CA - ACME" {
		t.Errorf("TaxAccount() = %+v, %v", tax, err)
	}
	_, err := m.TaxAccount("US-NY-STATE TAX-1")
	wantFailure(t, err, failure.ReasonUnmapped, `tax rate "US-NY-STATE TAX-1" is not mapped by MappingSet acme/acme`)

	if got := m.ItemTaxTemplate("reduced-rate"); got != "Reduced - ACME" {
		t.Errorf("ItemTaxTemplate(reduced-rate) = %q", got)
	}
	if got := m.ItemTaxTemplate(""); got != "" {
		t.Errorf("ItemTaxTemplate(standard) = %q, want none", got)
	}

	if p, err := m.PaymentMethod("stripe"); err != nil || p.ModeOfPayment != "Credit Card" || p.Account != "Stripe Clearing - ACME" {
		t.Errorf("PaymentMethod(stripe) = %+v, %v", p, err)
	}
	_, err = m.PaymentMethod("cod")
	wantFailure(t, err, failure.ReasonUnmapped, `payment method "cod" is not mapped by MappingSet acme/acme`)

	if s, err := m.ShippingMethod("flat_rate"); err != nil || s.Item != "Shipping" || s.Account != "" {
		t.Errorf("ShippingMethod(flat_rate) = %+v, %v", s, err)
	}
	if s, err := m.ShippingMethod("local_pickup"); err != nil || s.Account != "Freight Out - ACME" {
		t.Errorf("ShippingMethod(local_pickup) = %+v, %v; want the accounts.shipping fallback", s, err)
	}
	spec := acmeSpec()
	spec.Accounts.Shipping = ""
	_, err = mustCompile(t, spec).ShippingMethod("local_pickup")
	wantFailure(t, err, failure.ReasonUnmapped, `shipping method "local_pickup" is not mapped`)

	if a, err := m.GLAccount(GLDiscounts); err != nil || a != "Discounts - ACME" {
		t.Errorf("GLAccount(discounts) = %q, %v", a, err)
	}
	_, err = m.GLAccount(GLGiftCards)
	wantFailure(t, err, failure.ReasonUnmapped, "the giftCards account (accounts.giftCards) is not mapped")
}

func TestCheckCurrency(t *testing.T) {
	m := mustCompile(t, acmeSpec())
	if err := m.CheckCurrency("USD"); err != nil {
		t.Errorf("CheckCurrency(USD) = %v", err)
	}
	wantFailure(t, m.CheckCurrency("EUR"), failure.ReasonUnmapped, "currency EUR is not mapped", "company currency is USD")
	spec := acmeSpec()
	spec.Currency.Foreign = v1alpha1.ForeignCurrencyPost
	if err := mustCompile(t, spec).CheckCurrency("EUR"); err != nil {
		t.Errorf("foreign Post: CheckCurrency(EUR) = %v", err)
	}
}

func TestRounding(t *testing.T) {
	m := mustCompile(t, acmeSpec()) // HalfUp, currency precision, maxAdjustment 0.05
	if got := m.Round(usd(t, "2.345")); !got.Equal(usd(t, "2.35")) {
		t.Errorf("Round(2.345) = %s", got)
	}
	adj, err := m.RoundingAdjustment(usd(t, "96.91"), usd(t, "96.88"))
	if err != nil || !adj.Equal(usd(t, "0.03")) {
		t.Errorf("RoundingAdjustment = %s, %v; want 0.03", adj, err)
	}
	_, err = m.RoundingAdjustment(usd(t, "96.91"), usd(t, "96.80"))
	wantFailure(t, err, failure.ReasonValidation, "differs from the store total 96.91 USD by 0.11 USD", "maxAdjustment 0.05")

	spec := acmeSpec()
	spec.Rounding = v1alpha1.Rounding{Mode: v1alpha1.RoundHalfEven, Precision: ptr.To[int32](1)}
	m = mustCompile(t, spec)
	if got := m.Round(usd(t, "2.25")); !got.Equal(usd(t, "2.2")) {
		t.Errorf("HalfEven to 1 place: Round(2.25) = %s", got)
	}
	if _, err := m.RoundingAdjustment(usd(t, "1.00"), usd(t, "0.90")); err == nil {
		t.Error("without maxAdjustment no difference may be absorbed")
	}
}

func TestAvailableToSell(t *testing.T) {
	pos := func(loc string, onHand, reserved, safety int64) canonical.InventoryPosition {
		return canonical.InventoryPosition{ItemCode: "HD-0001-BLK-M", Location: loc, OnHand: decimal.NewFromInt(onHand),
			Reserved: decimal.NewFromInt(reserved), SafetyStock: decimal.NewFromInt(safety)}
	}
	// Main: safety 2, 100%. East: safety 1, 50%.
	m := mustCompile(t, acmeSpec())
	for _, tc := range []struct {
		name      string
		positions []canonical.InventoryPosition
		want      int64
	}{
		{"on hand less reserved less safety stock", []canonical.InventoryPosition{pos("Main - ACME", 10, 3, 0)}, 5},
		{"ERP safety stock larger than the location's", []canonical.InventoryPosition{pos("Main - ACME", 10, 3, 4)}, 3},
		{"allocation percent rounds down", []canonical.InventoryPosition{pos("East - ACME", 8, 0, 0)}, 3}, // (8-1)*50% = 3.5
		{"summed over locations", []canonical.InventoryPosition{pos("Main - ACME", 10, 3, 0), pos("East - ACME", 8, 0, 0)}, 8},
		{"oversold location does not borrow from the others", []canonical.InventoryPosition{pos("Main - ACME", 1, 5, 0), pos("East - ACME", 5, 0, 0)}, 2},
		{"unlisted warehouse ignored", []canonical.InventoryPosition{pos("Returns - ACME", 50, 0, 0), pos("Main - ACME", 4, 0, 0)}, 2},
		{"no positions", nil, 0},
	} {
		if got, err := m.AvailableToSell("HD-0001-BLK-M", tc.positions); err != nil || got != tc.want {
			t.Errorf("%s: AvailableToSell = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	frac := pos("Main - ACME", 0, 0, 0)
	frac.OnHand = decimal.RequireFromString("4.75")
	if got, _ := m.AvailableToSell("HD-0001-BLK-M", []canonical.InventoryPosition{frac}); got != 2 {
		t.Errorf("fractional stock: AvailableToSell = %d, want 2 (floor of 2.75)", got)
	}
	if _, err := m.AvailableToSell("HD-0001-BLK-M", []canonical.InventoryPosition{pos("Main - ACME", 1, 0, 0), pos("Main - ACME", 2, 0, 0)}); err == nil {
		t.Error("two positions in one location must fail")
	}
	other := pos("Main - ACME", 1, 0, 0)
	other.ItemCode = "MG-WHT"
	if _, err := m.AvailableToSell("HD-0001-BLK-M", []canonical.InventoryPosition{other}); err == nil {
		t.Error("a position of another item must fail")
	}
	spec := acmeSpec()
	spec.Locations = nil
	_, err := mustCompile(t, spec).AvailableToSell("HD-0001-BLK-M", nil)
	wantFailure(t, err, failure.ReasonUnmapped, `stock of item "HD-0001-BLK-M" is not mapped`, "spec.locations is empty")
}

func TestPublishProduct(t *testing.T) {
	p := &canonical.Product{ItemCode: "HD-0001", Name: "Hoodie", Group: "Apparel", Attributes: map[string]string{"Brand": "ACME"}}
	m := mustCompile(t, acmeSpec())
	if ok, err := m.PublishProduct(p); err != nil || !ok {
		t.Errorf("default: PublishProduct = %v, %v; want true", ok, err)
	}
	p.Disabled = true
	if ok, _ := m.PublishProduct(p); ok {
		t.Error("default: a disabled item must not be published")
	}
	spec := acmeSpec()
	spec.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldProductPublish, Expression: `product.group == "Apparel" && product.attributes["Brand"] == "ACME"`}}
	m = mustCompile(t, spec)
	if ok, err := m.PublishProduct(p); err != nil || !ok {
		t.Errorf("expression: PublishProduct = %v, %v; want true", ok, err)
	}
	p.Group = "Raw Materials"
	if ok, _ := m.PublishProduct(p); ok {
		t.Error("expression: raw materials must not be published")
	}
}

// TestMapperIsSafeForConcurrentUse shares one Mapper between goroutines as a worker's jobs do; run
// with -race it proves the claim in the package comment.
func TestMapperIsSafeForConcurrentUse(t *testing.T) {
	spec := acmeSpec()
	spec.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldOrderRemarks, Expression: `"Web order " + order.number`}}
	m := mustCompile(t, spec)
	o := order(t, "processing") // shared read-only, as a job's order may be
	results := make(chan error)
	for range 8 {
		go func() {
			for range 50 {
				if code, err := m.MapSKU("MUG-WHT"); err != nil || code != "MG-WHT" {
					results <- fmt.Errorf("MapSKU = %q, %v", code, err)
					return
				}
				if f, err := m.OrderFields(o); err != nil || f.Remarks != "Web order 1042" {
					results <- fmt.Errorf("OrderFields = %+v, %v", f, err)
					return
				}
			}
			results <- nil
		}()
	}
	for range 8 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}
