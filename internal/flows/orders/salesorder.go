package orders

import (
	"cmp"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/mapping"
)

// salesOrderPlan maps a canonical order to the Sales Order the ERP should hold, with every charge as
// an "Actual" row so the ERP posts exactly the store's amounts:
//
//	items at the lines' pre-discount unit price (shipping too when it maps to an item),
//	one row per coupon (and any other discount) to accounts.discounts, negative,
//	shipping to its mapped account, fees to accounts.fees, gift cards to accounts.giftCards,
//	one row per tax rate code to its mapped account, lines, fees and shipping together,
//	and what rounding unit prices left over to accounts.rounding, within rounding.maxAdjustment.
//
// Every value the MappingSet does not cover is reported at once (reason Unmapped), so one dead
// letter lists every SKU, rate or method a person must add. Finally the plan's grand total is
// checked against the store's total to the cent.
type salesOrderPlan struct {
	m     *mapping.Mapper
	o     *canonical.Order
	so    erpnext.SalesOrder
	errs  []error
	total canonical.Money // what the ERP will compute, as the plan adds up
}

func planSalesOrder(m *mapping.Mapper, o *canonical.Order, customer, correlationID string) (erpnext.SalesOrder, error) {
	p := &salesOrderPlan{m: m, o: o, total: canonical.Zero(o.Currency)}
	p.so = erpnext.SalesOrder{
		Customer: customer, Company: m.Company(), Currency: o.Currency,
		TransactionDate: o.Created.UTC().Format(time.DateOnly), PONo: o.Number,
		ExternalOrderID: o.StoreID, CorrelationID: correlationID,
	}
	p.check(m.CheckCurrency(o.Currency))
	if o.PaymentMethod != "" {
		// The Sales Order does not name the payment, but the Finance flow posts it later: an order
		// whose gateway is not mapped is refused now, not after it reached the books.
		_, err := m.PaymentMethod(o.PaymentMethod)
		p.check(err)
	}
	fields, err := m.OrderFields(o)
	p.check(err)
	p.so.SetWarehouse = fields.Warehouse
	residual := p.lines()
	p.shipping()
	p.discounts()
	p.charges(mapping.GLFees, "Fee", feeRows(o))
	p.charges(mapping.GLGiftCards, "Gift card", giftCardRows(o))
	p.taxes()
	p.rounding(residual)
	if err := errors.Join(p.errs...); err != nil {
		return erpnext.SalesOrder{}, err
	}
	if err := p.checkTotal(); err != nil {
		return erpnext.SalesOrder{}, err
	}
	return p.so, nil
}

func (p *salesOrderPlan) check(err error) {
	if err != nil {
		p.errs = append(p.errs, err)
	}
}

func (p *salesOrderPlan) add(amount canonical.Money) {
	if sum, err := p.total.Add(amount); err != nil {
		p.check(failure.Permanentf(failure.ReasonMalformedPayload, "order %s: %v", p.o.StoreID, err))
	} else {
		p.total = sum
	}
}

// lines adds one item per store line at its unit price before discounts. It returns what rounding
// the unit price to the currency left over (a subtotal that does not divide by the quantity).
func (p *salesOrderPlan) lines() canonical.Money {
	residual := canonical.Zero(p.o.Currency)
	for i := range p.o.Lines {
		l := &p.o.Lines[i]
		code, err := p.m.MapSKU(l.SKU)
		p.check(err)
		warehouse, err := p.m.LineWarehouse(p.o, l)
		p.check(err)
		if l.Quantity.Sign() <= 0 {
			continue // ToCanonical refused it already
		}
		unit := p.m.Round(canonical.Money{Amount: l.Subtotal.Amount.Div(l.Quantity), Currency: p.o.Currency})
		amount := p.m.Round(unit.Times(l.Quantity))
		p.so.Items = append(p.so.Items, erpnext.SalesOrderItem{ItemCode: code, Qty: l.Quantity, Rate: unit.Amount, Warehouse: warehouse})
		p.add(amount)
		if left, err := l.Subtotal.Sub(amount); err == nil {
			residual, _ = residual.Add(left)
		}
	}
	return residual
}

func (p *salesOrderPlan) shipping() {
	for _, s := range p.o.Shipping {
		method, err := p.m.ShippingMethod(s.MethodID)
		if p.check(err); err != nil || s.Total.IsZero() {
			continue
		}
		if method.Item != "" {
			p.so.Items = append(p.so.Items, erpnext.SalesOrderItem{ItemCode: method.Item, Qty: decimal.NewFromInt(1), Rate: s.Total.Amount})
			p.add(s.Total)
			continue
		}
		p.row(method.Account, "Shipping: "+cmp.Or(s.MethodTitle, s.MethodID), s.Total)
	}
}

// discounts posts each coupon's discount, and whatever discount no coupon explains (a manual
// discount), as negative rows: finance sees which coupon cost what instead of one lump.
func (p *salesOrderPlan) discounts() {
	if p.o.DiscountTotal.IsZero() {
		return
	}
	account, err := p.m.GLAccount(mapping.GLDiscounts)
	if p.check(err); err != nil {
		return
	}
	rest := p.o.DiscountTotal
	for _, c := range p.o.Coupons {
		if c.Discount.IsZero() {
			continue
		}
		p.row(account, "Coupon "+c.Code, c.Discount.Neg())
		rest, _ = rest.Sub(c.Discount)
	}
	if !rest.IsZero() {
		p.row(account, "Discount", rest.Neg())
	}
}

type chargeRow struct {
	what   string
	amount canonical.Money
}

func feeRows(o *canonical.Order) []chargeRow {
	var rows []chargeRow
	for _, f := range o.Fees {
		rows = append(rows, chargeRow{f.Name, f.Total})
	}
	return rows
}

func giftCardRows(o *canonical.Order) []chargeRow {
	var rows []chargeRow
	for _, g := range o.GiftCards {
		rows = append(rows, chargeRow{g.Code, g.Amount.Neg()})
	}
	return rows
}

func (p *salesOrderPlan) charges(purpose mapping.GLPurpose, label string, rows []chargeRow) {
	var nonZero []chargeRow
	for _, r := range rows {
		if !r.amount.IsZero() {
			nonZero = append(nonZero, r)
		}
	}
	if len(nonZero) == 0 {
		return
	}
	account, err := p.m.GLAccount(purpose)
	if p.check(err); err != nil {
		return
	}
	for _, r := range nonZero {
		p.row(account, label+": "+r.what, r.amount)
	}
}

// taxes posts one row per rate code, summing lines, fees and shipping, to the mapped account.
func (p *salesOrderPlan) taxes() {
	if len(p.o.Taxes) == 0 && !p.o.TotalTax.IsZero() {
		p.check(failure.Permanentf(failure.ReasonMalformedPayload, "order %s charges tax %s but lists no tax rates", p.o.StoreID, p.o.TotalTax))
		return
	}
	byRate, err := p.o.TaxByRate()
	if err != nil {
		p.check(failure.Permanentf(failure.ReasonMalformedPayload, "order %s: %v", p.o.StoreID, err))
		return
	}
	seen := map[string]bool{}
	for _, t := range p.o.Taxes {
		if seen[t.RateCode] {
			continue
		}
		seen[t.RateCode] = true
		mapped, err := p.m.TaxAccount(t.RateCode)
		if p.check(err); err != nil || byRate[t.RateCode].IsZero() {
			continue
		}
		p.row(mapped.Account, "Tax: "+cmp.Or(t.Label, t.RateCode)+" ("+t.RateCode+")", byRate[t.RateCode])
	}
}

func (p *salesOrderPlan) rounding(residual canonical.Money) {
	if residual.IsZero() {
		return
	}
	store, err := p.total.Add(residual)
	if err != nil {
		return // a currency mismatch, reported by add already
	}
	adj, err := p.m.RoundingAdjustment(store, p.total)
	if p.check(err); err != nil {
		return
	}
	account, err := p.m.GLAccount(mapping.GLRounding)
	if p.check(err); err != nil {
		return
	}
	p.row(account, "Rounding", adj)
}

func (p *salesOrderPlan) row(account, description string, amount canonical.Money) {
	p.so.Taxes = append(p.so.Taxes, erpnext.ActualCharge(account, description, amount.Amount))
	p.add(amount)
}

// checkTotal is the last guard before anything is written: the ERP's grand total must be the
// store's total to the cent, or the books would not reconcile.
func (p *salesOrderPlan) checkTotal() error {
	want := p.o.Total.RoundToCurrency(canonical.HalfUp)
	if got := p.total.RoundToCurrency(canonical.HalfUp); !got.Equal(want) {
		return failure.Permanentf(failure.ReasonValidation, "order %s would post %s to the ERP but the store charged %s", p.o.StoreID, got, want)
	}
	return nil
}
