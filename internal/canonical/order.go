package canonical

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/failure"
)

// Order is a store order. Amounts follow WooCommerce's model: line Subtotal is before discounts and
// Total after, both excluding tax whether or not the store's prices include tax; taxes are reported
// per line and summarised per rate in Taxes.
type Order struct {
	// StoreID is the store's order id, the external id every ERP document created for it carries.
	StoreID string `json:"storeID"`
	// Number is the order number shown to the buyer (may differ from StoreID with plugins).
	Number string `json:"number"`
	// Status is the store's order status (processing, on-hold, a custom status ...).
	Status           string     `json:"status"`
	Currency         string     `json:"currency"`
	PricesIncludeTax bool       `json:"pricesIncludeTax,omitempty"`
	Created          time.Time  `json:"created"`
	Modified         time.Time  `json:"modified"`
	Paid             *time.Time `json:"paid,omitempty"`
	Customer         Customer   `json:"customer"`
	// PaymentMethod is the store's gateway id (stripe, bacs, cod).
	PaymentMethod      string `json:"paymentMethod,omitempty"`
	PaymentMethodTitle string `json:"paymentMethodTitle,omitempty"`
	TransactionID      string `json:"transactionID,omitempty"`
	CustomerNote       string `json:"customerNote,omitempty"`

	Lines     []OrderLine    `json:"lines"`
	Shipping  []ShippingLine `json:"shipping,omitempty"`
	Fees      []FeeLine      `json:"fees,omitempty"`
	Coupons   []CouponLine   `json:"coupons,omitempty"`
	GiftCards []GiftCardLine `json:"giftCards,omitempty"`
	// Taxes summarises tax per rate (WooCommerce tax_lines).
	Taxes []TaxLine `json:"taxes,omitempty"`

	// DiscountTotal is the discount on lines, excluding tax: the sum of line Subtotal less Total.
	DiscountTotal Money `json:"discountTotal"`
	// DiscountTax is the tax the discount removed; informational, already reflected in line taxes.
	DiscountTax Money `json:"discountTax"`
	TotalTax    Money `json:"totalTax"`
	// Total is what the buyer pays.
	Total Money `json:"total"`
	// Meta holds store metadata (WooCommerce meta_data) as strings, by key.
	Meta map[string]string `json:"meta,omitempty"`
}

// OrderLine is one product line of an order.
type OrderLine struct {
	StoreID  string          `json:"storeID"`
	SKU      string          `json:"sku"`
	Name     string          `json:"name"`
	Quantity decimal.Decimal `json:"quantity"`
	// TaxClass is the store's tax class slug; "" is the standard class.
	TaxClass string `json:"taxClass,omitempty"`
	// Subtotal is the line before discounts, excluding tax.
	Subtotal    Money `json:"subtotal"`
	SubtotalTax Money `json:"subtotalTax"`
	// Total is the line after discounts, excluding tax.
	Total    Money     `json:"total"`
	TotalTax Money     `json:"totalTax"`
	Taxes    []LineTax `json:"taxes,omitempty"`
}

// LineTax is the tax one rate charged on one line.
type LineTax struct {
	// RateID identifies the rate within the order's Taxes.
	RateID   string `json:"rateID"`
	Total    Money  `json:"total"`
	Subtotal Money  `json:"subtotal"`
}

// ShippingLine is one shipping charge.
type ShippingLine struct {
	StoreID string `json:"storeID"`
	// MethodID is the store's shipping method (flat_rate, free_shipping, local_pickup).
	MethodID    string    `json:"methodID"`
	MethodTitle string    `json:"methodTitle,omitempty"`
	Total       Money     `json:"total"`
	TotalTax    Money     `json:"totalTax"`
	Taxes       []LineTax `json:"taxes,omitempty"`
}

// FeeLine is a fee (or, when negative, a manual discount) added to the order.
type FeeLine struct {
	StoreID  string    `json:"storeID"`
	Name     string    `json:"name"`
	TaxClass string    `json:"taxClass,omitempty"`
	Total    Money     `json:"total"`
	TotalTax Money     `json:"totalTax"`
	Taxes    []LineTax `json:"taxes,omitempty"`
}

// CouponLine records a coupon used; its discount is already in the lines' totals.
type CouponLine struct {
	Code        string `json:"code"`
	Discount    Money  `json:"discount"`
	DiscountTax Money  `json:"discountTax"`
}

// GiftCardLine is a gift card redeemed against the order: it reduces what the buyer pays, not the
// revenue, so it is posted against a liability account.
type GiftCardLine struct {
	Code   string `json:"code"`
	Amount Money  `json:"amount"`
}

// TaxLine is the order's total for one tax rate.
type TaxLine struct {
	RateID string `json:"rateID"`
	// RateCode is the store's rate code, e.g. "US-CA-STATE TAX-1"; the MappingSet maps it to an account.
	RateCode string `json:"rateCode"`
	Label    string `json:"label,omitempty"`
	Compound bool   `json:"compound,omitempty"`
	// TaxTotal is the tax on lines and fees; ShippingTaxTotal the tax on shipping.
	TaxTotal         Money `json:"taxTotal"`
	ShippingTaxTotal Money `json:"shippingTaxTotal"`
}

// Amount is the tax this rate charged on lines, fees and shipping.
func (t TaxLine) Amount() (Money, error) { return t.TaxTotal.Add(t.ShippingTaxTotal) }

// adder sums amounts and keeps the first currency error, so long formulas read as formulas.
type adder struct {
	sum Money
	err error
}

func newAdder(currency string) *adder { return &adder{sum: Zero(currency)} }

func (a *adder) add(ms ...Money) *adder {
	for _, m := range ms {
		if a.err == nil {
			a.sum, a.err = a.sum.Add(m)
		}
	}
	return a
}

func (a *adder) sub(ms ...Money) *adder {
	for _, m := range ms {
		a.add(m.Neg())
	}
	return a
}

// OrderTotals is an order's amounts summed from its parts.
type OrderTotals struct {
	Subtotal Money // lines before discounts
	Lines    Money // lines after discounts
	Shipping Money
	Fees     Money
	GiftCard Money
	// Tax summed over lines, shipping and fees.
	Tax Money
	// Total computed: Subtotal - DiscountTotal + Shipping + Fees + Tax - GiftCard.
	Total Money
}

// Totals sums the order's parts. It fails only when an amount is not in the order's currency.
func (o Order) Totals() (OrderTotals, error) {
	sub, lines, ship, fees, gift, tax := newAdder(o.Currency), newAdder(o.Currency), newAdder(o.Currency),
		newAdder(o.Currency), newAdder(o.Currency), newAdder(o.Currency)
	for _, l := range o.Lines {
		sub.add(l.Subtotal)
		lines.add(l.Total)
		tax.add(l.TotalTax)
	}
	for _, s := range o.Shipping {
		ship.add(s.Total)
		tax.add(s.TotalTax)
	}
	for _, f := range o.Fees {
		fees.add(f.Total)
		tax.add(f.TotalTax)
	}
	for _, g := range o.GiftCards {
		gift.add(g.Amount)
	}
	total := newAdder(o.Currency).add(sub.sum).sub(o.DiscountTotal).add(ship.sum, fees.sum, tax.sum).sub(gift.sum)
	if err := errors.Join(sub.err, lines.err, ship.err, fees.err, gift.err, tax.err, total.err); err != nil {
		return OrderTotals{}, err
	}
	return OrderTotals{Subtotal: sub.sum, Lines: lines.sum, Shipping: ship.sum, Fees: fees.sum,
		GiftCard: gift.sum, Tax: tax.sum, Total: total.sum}, nil
}

// CheckTotals verifies the order adds up to the cent (to its currency's minor unit): lines before
// discounts, less the discount, plus shipping, fees and tax, less gift cards, is the total; the
// discount is the lines' subtotals less their totals; the tax of lines, shipping and fees equals the
// total tax and the per-rate summary; each line's per-rate taxes equal its tax. An order that does not
// add up would post books that do not reconcile, so the error is Permanent (MalformedPayload) and
// names every difference.
func (o Order) CheckTotals() error {
	t, err := o.Totals()
	if err != nil {
		return o.malformed(err)
	}
	var errs []error
	mismatch := func(what string, got, want Money) {
		if !got.RoundToCurrency(HalfUp).Equal(want.RoundToCurrency(HalfUp)) {
			errs = append(errs, fmt.Errorf("%s is %s, but the order says %s", what, got, want))
		}
	}
	mismatch("subtotal - discount + shipping + fees + tax - gift cards", t.Total, o.Total)
	if d, err := t.Subtotal.Sub(t.Lines); err == nil {
		mismatch("line subtotals - line totals", d, o.DiscountTotal)
	}
	mismatch("tax on lines, shipping and fees", t.Tax, o.TotalTax)
	if len(o.Taxes) > 0 {
		rates := newAdder(o.Currency)
		for _, r := range o.Taxes {
			rates.add(r.TaxTotal, r.ShippingTaxTotal)
		}
		if rates.err != nil {
			errs = append(errs, rates.err)
		} else {
			mismatch("tax per rate", rates.sum, o.TotalTax)
		}
	}
	for _, l := range o.Lines {
		if len(l.Taxes) == 0 {
			continue
		}
		lt := newAdder(o.Currency)
		for _, x := range l.Taxes {
			lt.add(x.Total)
		}
		if lt.err != nil {
			errs = append(errs, lt.err)
		} else {
			mismatch(fmt.Sprintf("line %s (%s) tax per rate", l.StoreID, l.SKU), lt.sum, l.TotalTax)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return o.malformed(err)
	}
	return nil
}

func (o Order) malformed(err error) error {
	return &failure.Error{Kind: failure.Permanent, Reason: failure.ReasonMalformedPayload,
		Message: fmt.Sprintf("order %s does not add up: %v", o.StoreID, err), Err: err}
}

// TaxByRate returns the tax charged per rate code, from the per-rate summary.
func (o Order) TaxByRate() (map[string]Money, error) {
	out := make(map[string]Money, len(o.Taxes))
	for _, r := range o.Taxes {
		amt, err := r.Amount()
		if err == nil {
			if prev, seen := out[r.RateCode]; seen {
				amt, err = prev.Add(amt)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("tax rate %q: %w", r.RateCode, err)
		}
		out[r.RateCode] = amt
	}
	return out, nil
}

// OrderedQuantities returns the quantity ordered per SKU (a SKU may appear on several lines).
func (o Order) OrderedQuantities() map[string]decimal.Decimal {
	q := make(map[string]decimal.Decimal, len(o.Lines))
	for _, l := range o.Lines {
		q[l.SKU] = q[l.SKU].Add(l.Quantity)
	}
	return q
}
