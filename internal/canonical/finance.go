package canonical

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Invoice is an ERP sales invoice for (part of) a store order.
type Invoice struct {
	ERPID        string        `json:"erpID"`
	OrderStoreID string        `json:"orderStoreID"`
	Customer     string        `json:"customer"`
	Currency     string        `json:"currency"`
	Lines        []InvoiceLine `json:"lines"`
	Taxes        []TaxAmount   `json:"taxes,omitempty"`
	Total        Money         `json:"total"`
	// Outstanding is what is still to be paid.
	Outstanding Money     `json:"outstanding"`
	Issued      time.Time `json:"issued"`
}

// InvoiceLine is one line of an invoice or credit note; a credit note's quantities and amounts are
// negative.
type InvoiceLine struct {
	ItemCode string          `json:"itemCode"`
	Quantity decimal.Decimal `json:"quantity"`
	Rate     Money           `json:"rate"`
	Amount   Money           `json:"amount"`
}

// TaxAmount is tax posted to one account.
type TaxAmount struct {
	Account string `json:"account"`
	Amount  Money  `json:"amount"`
}

// documentTotal is lines plus taxes.
func documentTotal(currency string, lines []InvoiceLine, taxes []TaxAmount) (Money, error) {
	a := newAdder(currency)
	for _, l := range lines {
		a.add(l.Amount)
	}
	for _, t := range taxes {
		a.add(t.Amount)
	}
	return a.sum, a.err
}

// Validate checks the invoice adds up: lines plus taxes is the total, to the cent, and the
// outstanding amount lies between zero and the total.
func (i Invoice) Validate() error {
	sum, err := documentTotal(i.Currency, i.Lines, i.Taxes)
	if err != nil {
		return fmt.Errorf("invoice %s: %w", i.ERPID, err)
	}
	if !sum.RoundToCurrency(HalfUp).Equal(i.Total.RoundToCurrency(HalfUp)) {
		return fmt.Errorf("invoice %s: lines and taxes sum to %s, but the total is %s", i.ERPID, sum, i.Total)
	}
	if c, err := i.Outstanding.Cmp(i.Total); err != nil || c > 0 || i.Outstanding.IsNegative() {
		return fmt.Errorf("invoice %s: outstanding %s must lie between zero and the total %s", i.ERPID, i.Outstanding, i.Total)
	}
	return nil
}

// Refund is money the store gave back for an order, in whole or for some lines.
type Refund struct {
	StoreID      string `json:"storeID"`
	OrderStoreID string `json:"orderStoreID"`
	// Amount is the money returned, positive.
	Amount Money        `json:"amount"`
	Reason string       `json:"reason,omitempty"`
	Lines  []RefundLine `json:"lines,omitempty"`
	// Restock says the goods went back into stock.
	Restock bool      `json:"restock,omitempty"`
	Created time.Time `json:"created"`
}

// RefundLine is the refunded part of one order line, as positive quantities and amounts.
type RefundLine struct {
	LineStoreID string          `json:"lineStoreID"`
	SKU         string          `json:"sku"`
	Quantity    decimal.Decimal `json:"quantity"`
	Total       Money           `json:"total"`
	Taxes       []LineTax       `json:"taxes,omitempty"`
}

// CreditNote reverses (part of) an invoice: an ERPNext Sales Invoice with is_return and
// return_against, an Odoo out_refund. Its lines, taxes and total are negative.
type CreditNote struct {
	ERPID         string        `json:"erpID"`
	ReturnAgainst string        `json:"returnAgainst"`
	RefundStoreID string        `json:"refundStoreID"`
	Currency      string        `json:"currency"`
	Lines         []InvoiceLine `json:"lines"`
	Taxes         []TaxAmount   `json:"taxes,omitempty"`
	Total         Money         `json:"total"`
	Issued        time.Time     `json:"issued"`
}

// ValidateAgainst checks the credit note can reverse the invoice: it names the invoice, is in its
// currency, adds up, is negative, and reverses no more than the invoice total less what earlier
// credit notes already reversed (previouslyCredited, a positive amount).
func (c CreditNote) ValidateAgainst(inv Invoice, previouslyCredited Money) error {
	var errs []error
	if c.ReturnAgainst != inv.ERPID {
		errs = append(errs, fmt.Errorf("returns against %q, not invoice %q", c.ReturnAgainst, inv.ERPID))
	}
	if c.Currency != inv.Currency {
		errs = append(errs, fmt.Errorf("%w: credit note in %s, invoice in %s", ErrCurrencyMismatch, c.Currency, inv.Currency))
	}
	sum, err := documentTotal(c.Currency, c.Lines, c.Taxes)
	switch {
	case err != nil:
		errs = append(errs, err)
	case !sum.RoundToCurrency(HalfUp).Equal(c.Total.RoundToCurrency(HalfUp)):
		errs = append(errs, fmt.Errorf("lines and taxes sum to %s, but the total is %s", sum, c.Total))
	}
	if !c.Total.IsNegative() {
		errs = append(errs, fmt.Errorf("total %s must be negative", c.Total))
	}
	credited, err := previouslyCredited.Add(c.Total.Neg())
	if err == nil {
		var over int
		if over, err = credited.Cmp(inv.Total); err == nil && over > 0 {
			err = fmt.Errorf("would credit %s in all, more than the invoice total %s", credited, inv.Total)
		}
	}
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("credit note %s: %w", c.ERPID, err)
	}
	return nil
}

// Payment is money received for an order.
type Payment struct {
	OrderStoreID string `json:"orderStoreID"`
	// Method is the store's gateway id; the MappingSet maps it to a mode of payment and clearing account.
	Method string `json:"method"`
	// TransactionID is the gateway's reference (Stripe charge id), the payment's idempotency key.
	TransactionID string    `json:"transactionID,omitempty"`
	Amount        Money     `json:"amount"`
	Received      time.Time `json:"received"`
}

// SettlementKind says what a settlement entry is.
type SettlementKind string

const (
	SettlementCharge     SettlementKind = "Charge"
	SettlementRefund     SettlementKind = "Refund"
	SettlementFee        SettlementKind = "Fee"
	SettlementAdjustment SettlementKind = "Adjustment"
)

// Settlement is a payout from a payment provider to the bank: charges less refunds and fees.
type Settlement struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Currency string `json:"currency"`
	// Payout is what reached the bank.
	Payout  Money             `json:"payout"`
	Entries []SettlementEntry `json:"entries"`
	Arrival time.Time         `json:"arrival"`
}

// SettlementEntry is one movement within a payout, signed as it affects the payout: charges positive,
// refunds and fees negative.
type SettlementEntry struct {
	Kind SettlementKind `json:"kind"`
	// Reference is the gateway transaction the entry belongs to (matches Payment.TransactionID).
	Reference string `json:"reference,omitempty"`
	Amount    Money  `json:"amount"`
}

// Reconcile checks the entries add up to the payout to the cent and returns the sum per kind, which
// finance posts: charges against the clearing account, fees to expenses.
func (s Settlement) Reconcile() (map[SettlementKind]Money, error) {
	byKind := map[SettlementKind]*adder{}
	all := newAdder(s.Currency)
	for _, e := range s.Entries {
		if byKind[e.Kind] == nil {
			byKind[e.Kind] = newAdder(s.Currency)
		}
		byKind[e.Kind].add(e.Amount)
		all.add(e.Amount)
	}
	if all.err != nil {
		return nil, fmt.Errorf("settlement %s: %w", s.ID, all.err)
	}
	if !all.sum.RoundToCurrency(HalfUp).Equal(s.Payout.RoundToCurrency(HalfUp)) {
		return nil, fmt.Errorf("settlement %s: entries sum to %s, but the payout is %s", s.ID, all.sum, s.Payout)
	}
	out := make(map[SettlementKind]Money, len(byKind))
	for k, a := range byKind {
		out[k] = a.sum
	}
	return out, nil
}

// Validate checks the refund returns a positive amount and that its lines, with their tax, do not
// add up to more than that amount (the rest is a refund without lines, such as a goodwill amount).
func (r Refund) Validate() error {
	if !r.Amount.Amount.IsPositive() || !ValidCurrency(r.Amount.Currency) {
		return fmt.Errorf("refund %s: amount %s must be positive and in a valid currency", r.StoreID, r.Amount)
	}
	lines := newAdder(r.Amount.Currency)
	for _, l := range r.Lines {
		lines.add(l.Total)
		for _, t := range l.Taxes {
			lines.add(t.Total)
		}
	}
	if lines.err != nil {
		return fmt.Errorf("refund %s: %w", r.StoreID, lines.err)
	}
	if c, _ := lines.sum.Cmp(r.Amount); c > 0 {
		return fmt.Errorf("refund %s: lines refund %s, more than the amount %s", r.StoreID, lines.sum, r.Amount)
	}
	return nil
}
