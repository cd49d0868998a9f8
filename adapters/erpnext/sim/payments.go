package sim

import (
	"github.com/shopspring/decimal"
)

func (s *Server) validatePaymentEntry(d doc) error {
	if d.str("posting_date") == "" {
		d["posting_date"] = s.today()
	}
	if d.str("company") == "" {
		d["company"] = s.opts.Company
	}
	if d.str("party_type") != "Customer" {
		return validation("ValidationError", "Party Type %q is not modelled by the simulator (Customer only)", d.str("party_type"))
	}
	if err := checkNumbers(d, 0, "paid_amount", "received_amount"); err != nil {
		return err
	}
	paid := roundMoney(d.num("paid_amount"))
	if !paid.IsPositive() {
		return validation("ValidationError", "Paid Amount must be greater than zero")
	}
	d.setMoney("paid_amount", paid)
	d.setMoney("received_amount", paid)
	var bankSide string
	switch d.str("payment_type") {
	case "Receive":
		if d.str("paid_from") == "" {
			d["paid_from"] = s.Account("Debtors")
		}
		if d.str("paid_to") == "" {
			return mandatory("Payment Entry", "Account Paid To")
		}
		bankSide = d.str("paid_to")
	case "Pay":
		if d.str("paid_to") == "" {
			d["paid_to"] = s.Account("Debtors")
		}
		if d.str("paid_from") == "" {
			return mandatory("Payment Entry", "Account Paid From")
		}
		bankSide = d.str("paid_from")
	default:
		return validation("ValidationError", "Payment Type cannot be %q. It should be one of \"Receive\", \"Pay\"", d.str("payment_type"))
	}
	if acc, ok := s.get("Account", bankSide); ok && acc.str("account_type") == "Bank" && (d.str("reference_no") == "" || d.str("reference_date") == "") {
		return validation("ValidationError", "Reference No and Reference Date is mandatory for Bank transaction")
	}
	allocated := decimal.Zero
	for i, ref := range d.rows("references") {
		amount, err := s.validateReference(d, ref, i+1)
		if err != nil {
			return err
		}
		allocated = allocated.Add(amount)
	}
	if allocated.GreaterThan(paid) {
		return validation("ValidationError", "Total Allocated Amount (%s) cannot be greater than Paid Amount (%s)", allocated, paid)
	}
	d.setMoney("total_allocated_amount", allocated)
	d.setMoney("unallocated_amount", paid.Sub(allocated))
	d["status"] = "Draft"
	return nil
}

// validateReference checks one allocation: a submitted Sales Invoice of the same customer with at
// least the allocated amount outstanding (for Pay, a negative outstanding: money owed back).
func (s *Server) validateReference(d, ref doc, idx int) (decimal.Decimal, error) {
	if ref.str("reference_doctype") != "Sales Invoice" {
		return decimal.Zero, validation("ValidationError", "Row #%d: Reference Doctype %q is not modelled by the simulator (Sales Invoice only)", idx, ref.str("reference_doctype"))
	}
	inv, ok := s.get("Sales Invoice", ref.str("reference_name"))
	if !ok {
		return decimal.Zero, linkMissing("Sales Invoice", ref.str("reference_name"))
	}
	if inv.int("docstatus") != 1 {
		return decimal.Zero, validation("ValidationError", "Row #%d: Sales Invoice %s must be submitted", idx, inv.str("name"))
	}
	if inv.str("customer") != d.str("party") {
		return decimal.Zero, validation("ValidationError", "Row #%d: Sales Invoice %s does not belong to Customer %s", idx, inv.str("name"), d.str("party"))
	}
	if err := checkNumbers(ref, idx, "allocated_amount"); err != nil {
		return decimal.Zero, err
	}
	amount := roundMoney(ref.num("allocated_amount"))
	open := inv.num("outstanding_amount")
	if d.str("payment_type") == "Pay" {
		open = open.Neg()
	}
	if !amount.IsPositive() || amount.GreaterThan(open) {
		return decimal.Zero, validation("ValidationError", "Row #%d: Allocated Amount %s cannot be greater than outstanding amount %s.", idx, amount, open)
	}
	ref.setMoney("allocated_amount", amount)
	ref.setMoney("outstanding_amount", inv.num("outstanding_amount"))
	ref.setMoney("total_amount", inv.num("grand_total"))
	return amount, nil
}

// submitPaymentEntry posts the money: Receive debits paid_to and credits the receivable, against
// each referenced invoice for its allocation and against the payment itself for any unallocated
// rest (an advance). Pay is the mirror image (a refund). Outstanding amounts move accordingly.
func (s *Server) submitPaymentEntry(d doc) error {
	if err := s.postGL(d, s.paymentLines(d)); err != nil {
		return err
	}
	s.applyPayment(d, decimal.NewFromInt(1))
	d["status"] = "Submitted"
	return nil
}

func (s *Server) paymentLines(d doc) []glLine {
	sign := decimal.NewFromInt(1) // Receive: the receivable is credited
	money := d.str("paid_to")
	receivable := d.str("paid_from")
	if d.str("payment_type") == "Pay" {
		sign = sign.Neg()
		money, receivable = d.str("paid_from"), d.str("paid_to")
	}
	party := d.str("party")
	lines := []glLine{{account: money, amount: d.num("paid_amount").Mul(sign)}}
	for _, ref := range d.rows("references") {
		lines = append(lines, glLine{account: receivable, amount: ref.num("allocated_amount").Mul(sign).Neg(), party: party, againstType: "Sales Invoice", againstVoucher: ref.str("reference_name")})
	}
	if rest := d.num("unallocated_amount"); !rest.IsZero() {
		lines = append(lines, glLine{account: receivable, amount: rest.Mul(sign).Neg(), party: party, againstType: "Payment Entry", againstVoucher: d.str("name")})
	}
	return lines
}

func (s *Server) applyPayment(d doc, sign decimal.Decimal) {
	if d.str("payment_type") == "Pay" {
		sign = sign.Neg()
	}
	for _, ref := range d.rows("references") {
		if inv, ok := s.get("Sales Invoice", ref.str("reference_name")); ok {
			inv.setMoney("outstanding_amount", inv.num("outstanding_amount").Sub(ref.num("allocated_amount").Mul(sign)))
			s.refreshInvoiceStatus(inv, false)
		}
	}
}

func (s *Server) cancelPaymentEntry(d doc) error {
	s.reverseGL("Payment Entry", d.str("name"))
	s.applyPayment(d, decimal.NewFromInt(-1))
	return nil
}
