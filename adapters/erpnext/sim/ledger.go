package sim

import (
	"sort"

	"github.com/shopspring/decimal"
)

// glLine is one general ledger posting as a signed amount: positive debits, negative credits.
type glLine struct {
	account        string
	amount         decimal.Decimal
	party          string // a Customer, on receivable lines
	againstType    string
	againstVoucher string
}

// postGL writes the GL Entries of a submitted voucher. It refuses an unbalanced voucher, as
// ERPNext's make_gl_entries does ("Debit and Credit not equal"), before writing anything.
func (s *Server) postGL(voucher doc, lines []glLine) error {
	sum := decimal.Zero
	for _, l := range lines {
		sum = sum.Add(l.amount)
	}
	if !sum.IsZero() {
		return validation("ValidationError", "Debit and Credit not equal for %s #%s. Difference is %s.", voucher.str("doctype"), voucher.str("name"), sum)
	}
	for _, l := range lines {
		if l.amount.IsZero() {
			continue
		}
		e := doc{
			"posting_date": voucher.str("posting_date"), "account": l.account,
			"voucher_type": voucher.str("doctype"), "voucher_no": voucher.str("name"),
			"against_voucher_type": l.againstType, "against_voucher": l.againstVoucher,
			"company": s.opts.Company, "is_cancelled": 0, "docstatus": 1,
			"account_currency": s.opts.Currency,
		}
		if l.party != "" {
			e["party_type"], e["party"] = "Customer", l.party
		}
		setDebitCredit(e, l.amount)
		s.put("GL Entry", e)
	}
	return nil
}

func setDebitCredit(e doc, amount decimal.Decimal) {
	debit, credit := decimal.Zero, decimal.Zero
	if amount.IsPositive() {
		debit = amount
	} else {
		credit = amount.Neg()
	}
	e.setMoney("debit", debit)
	e.setMoney("credit", credit)
	e.setMoney("debit_in_account_currency", debit)
	e.setMoney("credit_in_account_currency", credit)
}

// reverseGL is how ERPNext (v13+) cancels a voucher's ledger: each entry is marked is_cancelled and
// a mirror entry with debit and credit swapped is posted, so balances return to where they were and
// the history stays.
func (s *Server) reverseGL(voucherType, voucherNo string) {
	for _, e := range s.glEntriesOf(voucherType, voucherNo) {
		e["is_cancelled"] = 1
		s.touch(e)
		mirror := e.clone()
		delete(mirror, "name")
		setDebitCredit(mirror, e.num("credit").Sub(e.num("debit")))
		mirror["posting_date"] = s.today()
		s.put("GL Entry", mirror)
	}
}

func (s *Server) glEntriesOf(voucherType, voucherNo string) []doc {
	var out []doc
	for _, e := range s.docs["GL Entry"] {
		if e.str("voucher_type") == voucherType && e.str("voucher_no") == voucherNo && e.int("is_cancelled") == 0 {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].str("name") < out[j].str("name") })
	return out
}
