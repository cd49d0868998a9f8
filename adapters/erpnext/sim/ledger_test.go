package sim_test

import (
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

// wantBalances compares the ledger's balance (debit - credit) of each account to the cent and checks
// that the ledger as a whole balances.
func (s *site) wantBalances(want map[string]string) {
	s.t.Helper()
	got := s.Balances()
	for account, w := range want {
		wantDecimal(s.t, "balance of "+account, got[account], dec(w))
	}
	total := decimal.Zero
	for _, b := range got {
		total = total.Add(b)
	}
	wantDecimal(s.t, "sum of all balances", total, decimal.Zero)
}

func (s *site) invoice(customer string, extra map[string]any, lines ...line) map[string]any {
	s.t.Helper()
	d := map[string]any{"customer": customer, "docstatus": 1, "items": lines2items(lines)}
	for k, v := range extra {
		d[k] = v
	}
	return s.insert("Sales Invoice", d)
}

var taxAndShipping = map[string]any{"taxes": []map[string]any{
	{"charge_type": "Actual", "account_head": "Sales Tax CA - ACME", "tax_amount": "7.25", "description": "CA tax"},
	{"charge_type": "Actual", "account_head": "Shipping Income - ACME", "tax_amount": "5.00", "description": "Shipping"},
}}

func TestInvoicePostsReceivableIncomeAndTax(t *testing.T) {
	s := newSite(t, sim.Options{})
	inv := s.invoice(s.customer("Jane Doe"), taxAndShipping, line{"HD-BLK-M", 2, "45.00"}, line{"GIFT-WRAP", 1, "3.99"})
	wantDecimal(t, "grand_total", num(t, inv["grand_total"]), dec("106.24"))
	wantDecimal(t, "outstanding_amount", num(t, inv["outstanding_amount"]), dec("106.24"))
	if inv["status"] != "Unpaid" {
		t.Errorf("status = %v, want Unpaid", inv["status"])
	}
	s.wantBalances(map[string]string{
		"Debtors - ACME": "106.24", "Sales - ACME": "-93.99",
		"Sales Tax CA - ACME": "-7.25", "Shipping Income - ACME": "-5.00",
	})
	for _, e := range s.GLEntries() {
		if e.Account == "Debtors - ACME" && (e.Party != "Jane Doe" || e.AgainstVoucher != inv["name"]) {
			t.Errorf("receivable entry %+v lacks its party or invoice", e)
		}
	}
}

func TestDiscountIsSpreadOverIncomeOrPostedToItsAccount(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	s.invoice(c, map[string]any{"discount_amount": "10.00"}, line{"HD-BLK-M", 1, "33.33"}, line{"TEE-WHT-S", 1, "66.67"})
	s.wantBalances(map[string]string{"Debtors - ACME": "90.00", "Sales - ACME": "-90.00"})
	s.invoice(c, map[string]any{"discount_amount": "10.00", "additional_discount_account": "Discount Allowed - ACME"}, line{"HD-BLK-M", 1, "100"})
	s.wantBalances(map[string]string{"Debtors - ACME": "180.00", "Sales - ACME": "-190.00", "Discount Allowed - ACME": "10.00"})
}

func TestCreditNoteReversesIncomeAndTaxAgainstTheInvoice(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	inv := s.invoice(c, taxAndShipping, line{"HD-BLK-M", 2, "45.00"})
	name := inv["name"].(string)
	note := s.insert("Sales Invoice", map[string]any{
		"customer": c, "docstatus": 1, "is_return": 1, "return_against": name,
		"items": lines2items([]line{{"HD-BLK-M", -1, "45.00"}}),
		"taxes": []map[string]any{{"charge_type": "Actual", "account_head": "Sales Tax CA - ACME", "tax_amount": "-3.63", "description": "CA tax"}},
	})
	wantDecimal(t, "credit note grand_total", num(t, note["grand_total"]), dec("-48.63"))
	s.wantBalances(map[string]string{"Debtors - ACME": "53.62", "Sales - ACME": "-45.00", "Sales Tax CA - ACME": "-3.62", "Shipping Income - ACME": "-5.00"})
	orig, _ := s.Document("Sales Invoice", name)
	wantDecimal(t, "invoice outstanding", num(t, orig["outstanding_amount"]), dec("53.62"))
	for _, e := range s.GLEntries() {
		if e.VoucherNo == note["name"] && e.Account == "Debtors - ACME" && e.AgainstVoucher != name {
			t.Errorf("the credit note's receivable entry is against %q, want the invoice %s", e.AgainstVoucher, name)
		}
	}

	status, body := s.call("POST", "/api/resource/Sales Invoice", nil, map[string]any{
		"customer": c, "docstatus": 1, "is_return": 1, "return_against": name,
		"items": lines2items([]line{{"HD-BLK-M", -2, "45.00"}}),
	})
	if status != http.StatusExpectationFailed {
		t.Errorf("returning 2 more of 2 invoiced (1 already returned): HTTP %d %v", status, body)
	}
	status, _ = s.call("POST", "/api/resource/Sales Invoice", nil, map[string]any{
		"customer": c, "is_return": 1, "return_against": name, "items": lines2items([]line{{"HD-BLK-M", 1, "45.00"}}),
	})
	if status != http.StatusExpectationFailed {
		t.Errorf("a credit note with a positive quantity: HTTP %d, want 417", status)
	}
}

func TestPaymentClearsTheInvoiceAndCancellingRestoresIt(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	inv := s.invoice(c, nil, line{"HD-BLK-M", 1, "80.00"})
	pay := map[string]any{
		"payment_type": "Receive", "party_type": "Customer", "party": c, "paid_to": "Stripe Clearing - ACME",
		"paid_amount": "100.00", "mode_of_payment": "Credit Card", "reference_no": "ch_1", "docstatus": 1,
		"references": []map[string]any{{"reference_doctype": "Sales Invoice", "reference_name": inv["name"], "allocated_amount": "80.00"}},
	}
	pe := s.insert("Payment Entry", pay)
	wantDecimal(t, "unallocated_amount", num(t, pe["unallocated_amount"]), dec("20.00"))
	s.wantBalances(map[string]string{"Debtors - ACME": "-20.00", "Stripe Clearing - ACME": "100.00", "Sales - ACME": "-80.00"})
	doc, _ := s.Document("Sales Invoice", inv["name"].(string))
	if doc["status"] != "Paid" {
		t.Errorf("invoice status = %v, want Paid", doc["status"])
	}

	status, body := s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Sales Invoice", "name": inv["name"]})
	if status != http.StatusExpectationFailed || body["exc_type"] != "LinkExistsError" {
		t.Errorf("cancelling a paid invoice: HTTP %d %v, want 417 LinkExistsError", status, body["exc_type"])
	}
	status, _ = s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Payment Entry", "name": pe["name"]})
	if status != http.StatusOK {
		t.Fatalf("cancel payment: HTTP %d", status)
	}
	s.wantBalances(map[string]string{"Debtors - ACME": "80.00", "Stripe Clearing - ACME": "0"})
	doc, _ = s.Document("Sales Invoice", inv["name"].(string))
	if doc["status"] != "Unpaid" {
		t.Errorf("after the payment's cancellation the invoice is %v, want Unpaid", doc["status"])
	}
	cancelled := 0
	for _, e := range s.GLEntries() {
		if e.VoucherNo == pe["name"] && e.IsCancelled {
			cancelled++
		}
	}
	if cancelled != 6 {
		t.Errorf("%d cancelled GL entries for the payment, want 3 originals and 3 reversals", cancelled)
	}
}

func TestPaymentValidation(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	inv := s.invoice(c, nil, line{"HD-BLK-M", 1, "50.00"})
	base := func() map[string]any {
		return map[string]any{"payment_type": "Receive", "party_type": "Customer", "party": c, "paid_to": "Stripe Clearing - ACME", "paid_amount": "60"}
	}
	over := base()
	over["references"] = []map[string]any{{"reference_doctype": "Sales Invoice", "reference_name": inv["name"], "allocated_amount": "50.01"}}
	bank := base()
	bank["paid_to"] = "Bank - ACME"
	for name, body := range map[string]map[string]any{"over-allocation": over, "bank without reference": bank} {
		if status, resp := s.call("POST", "/api/resource/Payment Entry", nil, body); status != http.StatusExpectationFailed {
			t.Errorf("%s: HTTP %d %v, want 417", name, status, resp)
		}
	}
}

func TestRefundPaymentAfterCreditNote(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	inv := s.invoice(c, nil, line{"HD-BLK-M", 1, "50.00"})
	s.insert("Payment Entry", map[string]any{"payment_type": "Receive", "party_type": "Customer", "party": c, "paid_to": "Stripe Clearing - ACME", "paid_amount": "50", "docstatus": 1,
		"references": []map[string]any{{"reference_doctype": "Sales Invoice", "reference_name": inv["name"], "allocated_amount": "50"}}})
	s.insert("Sales Invoice", map[string]any{"customer": c, "docstatus": 1, "is_return": 1, "return_against": inv["name"], "items": lines2items([]line{{"HD-BLK-M", -1, "50.00"}})})
	doc, _ := s.Document("Sales Invoice", inv["name"].(string))
	if doc["status"] != "Credit Note Issued" {
		t.Errorf("status after the credit note = %v", doc["status"])
	}
	s.insert("Payment Entry", map[string]any{"payment_type": "Pay", "party_type": "Customer", "party": c, "paid_from": "Stripe Clearing - ACME", "paid_amount": "50", "docstatus": 1,
		"references": []map[string]any{{"reference_doctype": "Sales Invoice", "reference_name": inv["name"], "allocated_amount": "50"}}})
	s.wantBalances(map[string]string{"Debtors - ACME": "0", "Stripe Clearing - ACME": "0", "Sales - ACME": "0"})
	doc, _ = s.Document("Sales Invoice", inv["name"].(string))
	wantDecimal(t, "outstanding after refund", num(t, doc["outstanding_amount"]), decimal.Zero)
}
