package sim

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// TaxRate is a row of WooCommerce's tax table (standard class). Rates of different priorities stack;
// compound rates are not modelled.
type TaxRate struct {
	ID       int64           `json:"id"`
	Country  string          `json:"country"`
	State    string          `json:"state"`
	Name     string          `json:"name"`
	Priority int             `json:"priority"`
	Percent  decimal.Decimal `json:"rate"`
	Shipping bool            `json:"shipping"`
}

// RateCode is WC_Tax::get_rate_code: COUNTRY-STATE-NAME-PRIORITY in upper case, empty parts left out.
func (t TaxRate) RateCode() string {
	parts := []string{}
	for _, p := range []string{t.Country, t.State, t.Name, fmt.Sprint(max(t.Priority, 1))} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.ToUpper(strings.Join(parts, "-"))
}

// DefaultTaxRates stacks several rates in California and New York, so orders there carry more than
// one tax line, and single VAT rates in Germany and the UK.
func DefaultTaxRates() []TaxRate {
	d := decimal.RequireFromString
	return []TaxRate{
		{ID: 1, Country: "US", State: "CA", Name: "State Tax", Priority: 1, Percent: d("6.0000"), Shipping: true},
		{ID: 2, Country: "US", State: "CA", Name: "County Tax", Priority: 2, Percent: d("1.2500")},
		{ID: 3, Country: "US", State: "NY", Name: "State Tax", Priority: 1, Percent: d("4.0000"), Shipping: true},
		{ID: 4, Country: "US", State: "NY", Name: "City Tax", Priority: 2, Percent: d("4.5000"), Shipping: true},
		{ID: 5, Country: "DE", Name: "MwSt", Priority: 1, Percent: d("19.0000"), Shipping: true},
		{ID: 6, Country: "GB", Name: "VAT", Priority: 1, Percent: d("20.0000"), Shipping: true},
	}
}

// Coupon is a cart coupon: "percent" of each line, or "fixed_cart" spread over the lines.
type Coupon struct {
	Code   string          `json:"code"`
	Type   string          `json:"discount_type"`
	Amount decimal.Decimal `json:"amount"`
}

// DefaultCoupons are the codes storefront activity uses.
func DefaultCoupons() map[string]Coupon {
	return map[string]Coupon{
		"save10": {Code: "save10", Type: "percent", Amount: decimal.NewFromInt(10)},
		"take5":  {Code: "take5", Type: "fixed_cart", Amount: decimal.RequireFromString("5.00")},
	}
}

func cents(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

func money(d decimal.Decimal) woocommerce.Money { return woocommerce.NewMoney(cents(d)) }

// ratesFor returns the tax rates for an address, one per priority as WooCommerce matches them.
func (s *Sim) ratesFor(a woocommerce.Address) []TaxRate {
	var out []TaxRate
	for _, r := range s.taxRates {
		if r.Country == a.Country && (r.State == "" || r.State == a.State) {
			out = append(out, r)
		}
	}
	return out
}

// taxesOn returns each rate's tax on amount, rounded to the cent per rate as WooCommerce rounds at line level.
func taxesOn(amount decimal.Decimal, rates []TaxRate, shipping bool) map[int64]decimal.Decimal {
	out := map[int64]decimal.Decimal{}
	for _, r := range rates {
		if shipping && !r.Shipping {
			continue
		}
		out[r.ID] = cents(amount.Mul(r.Percent).Div(decimal.NewFromInt(100)))
	}
	return out
}

func sum(m map[int64]decimal.Decimal) decimal.Decimal {
	total := decimal.Zero
	for _, v := range m {
		total = total.Add(v)
	}
	return total
}

// lineTaxes writes taxes[] in rate order.
func lineTaxes(rates []TaxRate, total, subtotal map[int64]decimal.Decimal) []woocommerce.LineTax {
	out := []woocommerce.LineTax{}
	for _, r := range rates {
		t, ok := total[r.ID]
		if !ok {
			continue
		}
		st := t
		if subtotal != nil {
			st = subtotal[r.ID]
		}
		out = append(out, woocommerce.LineTax{ID: r.ID, Total: money(t), Subtotal: money(st)})
	}
	return out
}

// discounts returns each line's discount under the coupon. A fixed_cart amount is spread in
// proportion to the line subtotals, the last line taking the rounding remainder, so the parts add
// up to the coupon exactly.
func discounts(c *Coupon, subtotals []decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(subtotals))
	for i := range out {
		out[i] = decimal.Zero
	}
	if c == nil || len(subtotals) == 0 {
		return out
	}
	base := decimal.Zero
	for _, st := range subtotals {
		base = base.Add(st)
	}
	if base.IsZero() {
		return out
	}
	switch c.Type {
	case "percent":
		for i, st := range subtotals {
			out[i] = cents(st.Mul(c.Amount).Div(decimal.NewFromInt(100)))
		}
	case "fixed_cart":
		amount := decimal.Min(c.Amount, base)
		spent := decimal.Zero
		for i, st := range subtotals {
			if i == len(subtotals)-1 {
				out[i] = amount.Sub(spent)
				break
			}
			out[i] = cents(amount.Mul(st).Div(base))
			spent = spent.Add(out[i])
		}
	}
	return out
}

// price computes every money field of an order from its lines' prices and quantities, its shipping
// and fee totals and the coupon, so that the order is consistent to the cent:
//
//	sum(line subtotals) - discount_total + shipping_total + sum(fees) + total_tax = total
//	total_tax = cart_tax + shipping_tax = sum over tax_lines of (tax_total + shipping_tax_total)
//
// Called with s.mu held.
func (s *Sim) price(o *woocommerce.Order, coupon *Coupon) {
	addr := o.Shipping
	if addr.Country == "" {
		addr = o.Billing
	}
	rates := s.ratesFor(addr)
	subtotals := make([]decimal.Decimal, len(o.LineItems))
	for i, li := range o.LineItems {
		subtotals[i] = cents(li.Price.Mul(decimal.NewFromInt(int64(li.Quantity))))
	}
	disc := discounts(coupon, subtotals)
	rateTax, rateShipTax := map[int64]decimal.Decimal{}, map[int64]decimal.Decimal{}
	addTo := func(dst, src map[int64]decimal.Decimal) {
		for id, v := range src {
			dst[id] = dst[id].Add(v)
		}
	}
	discountTotal, discountTax, cartTax, itemsTotal := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for i := range o.LineItems {
		li := &o.LineItems[i]
		total := subtotals[i].Sub(disc[i])
		tTax, stTax := taxesOn(total, rates, false), taxesOn(subtotals[i], rates, false)
		li.Subtotal, li.Total = money(subtotals[i]), money(total)
		li.SubtotalTax, li.TotalTax = money(sum(stTax)), money(sum(tTax))
		li.Taxes = lineTaxes(rates, tTax, stTax)
		addTo(rateTax, tTax)
		discountTotal = discountTotal.Add(disc[i])
		discountTax = discountTax.Add(sum(stTax).Sub(sum(tTax)))
		cartTax = cartTax.Add(sum(tTax))
		itemsTotal = itemsTotal.Add(total)
	}
	for i := range o.FeeLines {
		f := &o.FeeLines[i]
		taxes := map[int64]decimal.Decimal{}
		if f.TaxStatus == "taxable" {
			taxes = taxesOn(f.Total.Decimal(), rates, false)
		}
		f.TotalTax, f.Taxes = money(sum(taxes)), lineTaxes(rates, taxes, nil)
		addTo(rateTax, taxes)
		cartTax = cartTax.Add(sum(taxes))
		itemsTotal = itemsTotal.Add(f.Total.Decimal())
	}
	shippingTotal, shippingTax := decimal.Zero, decimal.Zero
	for i := range o.ShippingLines {
		sl := &o.ShippingLines[i]
		taxes := taxesOn(sl.Total.Decimal(), rates, true)
		sl.TotalTax, sl.Taxes = money(sum(taxes)), lineTaxes(rates, taxes, nil)
		addTo(rateShipTax, taxes)
		shippingTotal = shippingTotal.Add(sl.Total.Decimal())
		shippingTax = shippingTax.Add(sum(taxes))
	}
	o.TaxLines = []woocommerce.TaxLine{}
	for _, r := range rates {
		t, st := rateTax[r.ID], rateShipTax[r.ID]
		if t.IsZero() && st.IsZero() {
			continue
		}
		o.TaxLines = append(o.TaxLines, woocommerce.TaxLine{ID: s.itemID(), RateCode: r.RateCode(), RateID: r.ID,
			Label: r.Name, TaxTotal: money(t), ShippingTaxTotal: money(st),
			RatePercent: woocommerce.Number{Decimal: r.Percent}, MetaData: []woocommerce.MetaData{}})
	}
	o.CouponLines = []woocommerce.CouponLine{}
	if coupon != nil && !discountTotal.IsZero() {
		o.CouponLines = append(o.CouponLines, woocommerce.CouponLine{ID: s.itemID(), Code: coupon.Code,
			Discount: money(discountTotal), DiscountTax: money(discountTax), MetaData: []woocommerce.MetaData{}})
	}
	o.DiscountTotal, o.DiscountTax = money(discountTotal), money(discountTax)
	o.ShippingTotal, o.ShippingTax = money(shippingTotal), money(shippingTax)
	o.CartTax, o.TotalTax = money(cartTax), money(cartTax.Add(shippingTax))
	o.Total = money(itemsTotal.Add(shippingTotal).Add(cartTax).Add(shippingTax))
}

// itemID hands out order item ids. Called with s.mu held.
func (s *Sim) itemID() int64 {
	s.nextItem++
	return s.nextItem
}
