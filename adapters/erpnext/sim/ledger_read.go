package sim

import (
	"sort"

	"github.com/shopspring/decimal"
)

// GLEntry is one general ledger row as tests read it.
type GLEntry struct {
	Name           string          `json:"name"`
	PostingDate    string          `json:"posting_date"`
	Account        string          `json:"account"`
	Debit          decimal.Decimal `json:"debit"`
	Credit         decimal.Decimal `json:"credit"`
	Party          string          `json:"party,omitempty"`
	VoucherType    string          `json:"voucher_type"`
	VoucherNo      string          `json:"voucher_no"`
	AgainstType    string          `json:"against_voucher_type,omitempty"`
	AgainstVoucher string          `json:"against_voucher,omitempty"`
	IsCancelled    bool            `json:"is_cancelled"`
}

// GLEntries returns the ledger in posting order, cancelled entries and their reversals included.
func (s *Server) GLEntries() []GLEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GLEntry, 0, len(s.docs["GL Entry"]))
	for _, e := range s.docs["GL Entry"] {
		out = append(out, GLEntry{
			Name: e.str("name"), PostingDate: e.str("posting_date"), Account: e.str("account"),
			Debit: e.num("debit"), Credit: e.num("credit"), Party: e.str("party"),
			VoucherType: e.str("voucher_type"), VoucherNo: e.str("voucher_no"),
			AgainstType: e.str("against_voucher_type"), AgainstVoucher: e.str("against_voucher"),
			IsCancelled: e.int("is_cancelled") != 0,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Balances returns debit minus credit per account over the whole ledger (a receivable or expense
// balance is positive, income and tax liabilities negative).
func (s *Server) Balances() map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, e := range s.GLEntries() {
		out[e.Account] = out[e.Account].Add(e.Debit).Sub(e.Credit)
	}
	return out
}
