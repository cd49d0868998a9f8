package canonical

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func sampleInvoice(t testing.TB) Invoice {
	usd := func(s string) Money { return money(t, s, "USD") }
	return Invoice{ERPID: "SINV-0001", OrderStoreID: "1042", Currency: "USD",
		Lines:       []InvoiceLine{{ItemCode: "MUG", Quantity: decimal.NewFromInt(2), Rate: usd("10.00"), Amount: usd("20.00")}},
		Taxes:       []TaxAmount{{Account: "Sales Tax CA - ACME", Amount: usd("1.45")}},
		Total:       usd("21.45"),
		Outstanding: usd("0.00"),
	}
}

func TestInvoiceValidate(t *testing.T) {
	inv := sampleInvoice(t)
	if err := inv.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	inv.Total = money(t, "21.44", "USD")
	if err := inv.Validate(); err == nil || !strings.Contains(err.Error(), "lines and taxes sum to 21.45 USD, but the total is 21.44 USD") {
		t.Errorf("Validate() = %v", err)
	}
	inv = sampleInvoice(t)
	inv.Outstanding = money(t, "30.00", "USD")
	if err := inv.Validate(); err == nil || !strings.Contains(err.Error(), "outstanding") {
		t.Errorf("Validate() = %v", err)
	}
}

func TestCreditNoteValidateAgainst(t *testing.T) {
	usd := func(s string) Money { return money(t, s, "USD") }
	inv := sampleInvoice(t)
	// Half the invoice back, tax reversed.
	cn := CreditNote{ERPID: "SINV-RET-1", ReturnAgainst: "SINV-0001", Currency: "USD",
		Lines: []InvoiceLine{{ItemCode: "MUG", Quantity: decimal.NewFromInt(-1), Rate: usd("10.00"), Amount: usd("-10.00")}},
		Taxes: []TaxAmount{{Account: "Sales Tax CA - ACME", Amount: usd("-0.73")}},
		Total: usd("-10.73")}
	if err := cn.ValidateAgainst(inv, Zero("USD")); err != nil {
		t.Fatalf("ValidateAgainst() = %v", err)
	}
	// A second identical one would still fit; a third would credit more than was invoiced.
	if err := cn.ValidateAgainst(inv, usd("10.72")); err != nil {
		t.Errorf("second credit note: %v", err)
	}
	if err := cn.ValidateAgainst(inv, usd("21.45")); err == nil || !strings.Contains(err.Error(), "more than the invoice total") {
		t.Errorf("third credit note: %v", err)
	}
	other := cn
	other.ReturnAgainst = "SINV-0002"
	other.Total = usd("10.73")
	err := other.ValidateAgainst(inv, Zero("USD"))
	for _, want := range []string{`returns against "SINV-0002"`, "must be negative", "lines and taxes sum to -10.73 USD"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateAgainst() = %v, want it to contain %q", err, want)
		}
	}
}

func TestRefundValidate(t *testing.T) {
	usd := func(s string) Money { return money(t, s, "USD") }
	r := Refund{StoreID: "9", Amount: usd("10.73"), Lines: []RefundLine{{SKU: "MUG", Quantity: decimal.NewFromInt(1),
		Total: usd("10.00"), Taxes: []LineTax{{RateID: "1", Total: usd("0.73")}}}}}
	if err := r.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	r.Amount = usd("10.00")
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "more than the amount") {
		t.Errorf("Validate() = %v", err)
	}
	r.Amount = usd("-10.73")
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "must be positive") {
		t.Errorf("Validate() = %v", err)
	}
}

func TestSettlementReconcile(t *testing.T) {
	usd := func(s string) Money { return money(t, s, "USD") }
	s := Settlement{ID: "po_1", Provider: "stripe", Currency: "USD", Payout: usd("86.77"), Entries: []SettlementEntry{
		{Kind: SettlementCharge, Reference: "ch_1", Amount: usd("96.91")},
		{Kind: SettlementFee, Reference: "ch_1", Amount: usd("-3.11")},
		{Kind: SettlementCharge, Reference: "ch_2", Amount: usd("21.45")},
		{Kind: SettlementFee, Reference: "ch_2", Amount: usd("-0.92")},
		{Kind: SettlementRefund, Reference: "re_1", Amount: usd("-27.56")},
	}}
	byKind, err := s.Reconcile()
	if err != nil {
		t.Fatal(err)
	}
	if !byKind[SettlementCharge].Equal(usd("118.36")) || !byKind[SettlementFee].Equal(usd("-4.03")) || !byKind[SettlementRefund].Equal(usd("-27.56")) {
		t.Errorf("Reconcile() = %v", byKind)
	}
	s.Payout = usd("86.78")
	if _, err := s.Reconcile(); err == nil || !strings.Contains(err.Error(), "entries sum to 86.77 USD, but the payout is 86.78 USD") {
		t.Errorf("Reconcile() = %v", err)
	}
}
