package sim

import (
	"github.com/shopspring/decimal"
)

func (s *Server) validateSalesInvoice(d doc) error {
	if d.str("posting_date") == "" {
		d["posting_date"] = s.today()
	}
	if d.str("due_date") == "" {
		d["due_date"] = d["posting_date"]
	}
	if d.str("debit_to") == "" {
		d["debit_to"] = s.Account("Debtors")
	}
	returns := d.int("is_return") != 0
	if err := s.computeTotals("Sales Invoice", d, returns); err != nil {
		return err
	}
	for i, row := range d.rows("items") {
		if row.str("income_account") == "" {
			row["income_account"] = s.Account("Sales")
		}
		if _, ok := s.get("Account", row.str("income_account")); !ok {
			return linkMissing("Account", row.str("income_account"))
		}
		if row.str("sales_order") != "" {
			if _, err := s.salesOrderLine(d, row, i+1); err != nil {
				return err
			}
		}
		if name := row.str("delivery_note"); name != "" {
			if dn, ok := s.get("Delivery Note", name); !ok || dn.int("docstatus") != 1 {
				return validation("ValidationError", "Row #%d: Delivery Note %s is not a submitted delivery", i+1, name)
			}
		}
	}
	if returns {
		if err := s.validateReturn(d); err != nil {
			return err
		}
	} else if d.str("return_against") != "" {
		return validation("ValidationError", "Return Against is only for credit notes (is_return = 1)")
	}
	d["status"] = "Draft"
	return nil
}

// validateReturn checks a credit note against its invoice: submitted, same customer, and no item
// returned beyond what was invoiced, counting earlier credit notes.
func (s *Server) validateReturn(d doc) error {
	origName := d.str("return_against")
	if origName == "" {
		return mandatory("Sales Invoice", "Return Against")
	}
	orig, ok := s.get("Sales Invoice", origName)
	if !ok {
		return linkMissing("Sales Invoice", origName)
	}
	if orig.int("docstatus") != 1 || orig.int("is_return") != 0 {
		return validation("ValidationError", "Return Against Sales Invoice %s must be a submitted invoice", origName)
	}
	if orig.str("customer") != d.str("customer") {
		return validation("ValidationError", "Customer %s does not match Customer %s of Sales Invoice %s", d.str("customer"), orig.str("customer"), origName)
	}
	left := map[string]decimal.Decimal{}
	for _, row := range orig.rows("items") {
		left[row.str("item_code")] = left[row.str("item_code")].Add(row.num("qty"))
	}
	for _, other := range s.docs["Sales Invoice"] {
		if other.int("docstatus") == 1 && other.str("return_against") == origName {
			for _, row := range other.rows("items") {
				left[row.str("item_code")] = left[row.str("item_code")].Add(row.num("qty"))
			}
		}
	}
	for i, row := range d.rows("items") {
		code := row.str("item_code")
		left[code] = left[code].Add(row.num("qty"))
		if left[code].IsNegative() {
			return validation("ValidationError", "Row #%d: Cannot return more than invoiced for Item %s", i+1, code)
		}
	}
	return nil
}

// submitSalesInvoice posts the invoice: debit the receivable (party = customer) with the grand
// total, credit each income account with its lines' net amounts, credit each tax account with its
// tax. A discount goes to additional_discount_account when set, otherwise it is spread over the
// lines' income. A credit note posts the same lines with the opposite sign against its invoice and
// lowers that invoice's outstanding amount.
func (s *Server) submitSalesInvoice(d doc) error {
	isReturn := d.int("is_return") != 0
	against := d.str("name")
	if isReturn {
		against = d.str("return_against")
	}
	lines := []glLine{{account: d.str("debit_to"), amount: d.num("grand_total"), party: d.str("customer"), againstType: "Sales Invoice", againstVoucher: against}}
	lines = append(lines, s.incomeLines(d)...)
	for _, tax := range d.rows("taxes") {
		lines = append(lines, glLine{account: tax.str("account_head"), amount: tax.num("tax_amount").Neg()})
	}
	if err := s.postGL(d, lines); err != nil {
		return err
	}
	if isReturn {
		orig, _ := s.get("Sales Invoice", against)
		d.setMoney("outstanding_amount", decimal.Zero)
		orig.setMoney("outstanding_amount", orig.num("outstanding_amount").Add(d.num("grand_total")))
		s.refreshInvoiceStatus(orig, true)
	} else {
		d.setMoney("outstanding_amount", d.num("grand_total"))
	}
	s.refreshInvoiceStatus(d, false)
	s.billSalesOrders(d, decimal.NewFromInt(1))
	return nil
}

// incomeLines credits income per account, net of a discount that has no account of its own.
func (s *Server) incomeLines(d doc) []glLine {
	discount := d.num("discount_amount")
	var lines []glLine
	if acc := d.str("additional_discount_account"); acc != "" && !discount.IsZero() {
		lines = append(lines, glLine{account: acc, amount: discount})
		discount = decimal.Zero
	}
	net := d.num("net_total")
	spread := decimal.Zero
	items := d.rows("items")
	for i, row := range items {
		amount := row.num("amount")
		share := decimal.Zero
		if !discount.IsZero() && !net.IsZero() {
			if i == len(items)-1 {
				share = discount.Sub(spread) // the last line takes the rounding remainder
			} else {
				share = roundMoney(discount.Mul(amount).Div(net))
			}
			spread = spread.Add(share)
		}
		row.setMoney("net_amount", amount.Sub(share))
		lines = append(lines, glLine{account: row.str("income_account"), amount: amount.Sub(share).Neg()})
	}
	return lines
}

func (s *Server) cancelSalesInvoice(d doc) error {
	name := d.str("name")
	if err := s.refuseIfLinked("Sales Invoice", name, "Payment Entry", "references", "reference_name"); err != nil {
		return err
	}
	if d.int("is_return") == 0 {
		if err := s.refuseIfLinked("Sales Invoice", name, "Sales Invoice", "", "return_against"); err != nil {
			return err
		}
	}
	s.reverseGL("Sales Invoice", name)
	if orig, ok := s.get("Sales Invoice", d.str("return_against")); ok && d.int("is_return") != 0 {
		orig.setMoney("outstanding_amount", orig.num("outstanding_amount").Sub(d.num("grand_total")))
		s.refreshInvoiceStatus(orig, false)
	}
	s.billSalesOrders(d, decimal.NewFromInt(-1))
	return nil
}

// billSalesOrders records billed_amt on the order lines an invoice bills.
func (s *Server) billSalesOrders(d doc, sign decimal.Decimal) {
	for _, row := range d.rows("items") {
		so, ok := s.get("Sales Order", row.str("sales_order"))
		if !ok {
			continue
		}
		for _, line := range so.rows("items") {
			if line.str("name") == row.str("so_detail") {
				line.setMoney("billed_amt", line.num("billed_amt").Add(row.num("amount").Mul(sign)))
			}
		}
		s.refreshSalesOrderStatus(so)
	}
}

// refreshInvoiceStatus derives an invoice's status from its outstanding amount. newReturn says a
// credit note against it is being submitted (and is not yet in the store as submitted).
func (s *Server) refreshInvoiceStatus(inv doc, newReturn bool) {
	out, total := inv.num("outstanding_amount"), inv.num("grand_total")
	hasReturn := newReturn
	for _, other := range s.docs["Sales Invoice"] {
		hasReturn = hasReturn || (other.int("docstatus") == 1 && other.str("return_against") == inv.str("name"))
	}
	switch {
	case inv.int("is_return") != 0:
		inv["status"] = "Return"
	case hasReturn && !out.IsPositive():
		inv["status"] = "Credit Note Issued"
	case out.IsZero():
		inv["status"] = "Paid"
	case out.LessThan(total):
		inv["status"] = "Partly Paid"
	default:
		inv["status"] = "Unpaid"
	}
	s.touch(inv)
}
