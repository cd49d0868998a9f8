package erpnext_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/internal/failure"
)

// wantBalances compares ledger balances (debit - credit) to the cent and checks the ledger balances.
func (e *env) wantBalances(want map[string]string) {
	e.t.Helper()
	got := e.site.Balances()
	sum := decimal.Zero
	for _, b := range got {
		sum = sum.Add(b)
	}
	wantDecimal(e.t, "ledger total", sum, decimal.Zero)
	for account, w := range want {
		wantDecimal(e.t, "balance of "+account, got[account], dec(w))
	}
}

func TestInvoicePaymentRefundBooksReconcileToTheCent(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Jane Doe", "woo-cust-1")
	so, _, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1"))
	e.must(err)

	draft, err := e.client.MakeSalesInvoice(ctx(t), so.Name)
	e.must(err)
	if len(draft.Items) != 2 || draft.Items[0].SalesOrder != so.Name || len(draft.Taxes) != 2 {
		t.Fatalf("mapped invoice %+v", draft)
	}
	draft.CorrelationID = "corr-inv-1"
	inv, err := e.client.CreateSalesInvoice(ctx(t), draft)
	e.must(err)
	wantDecimal(t, "invoice grand total = order grand total", inv.GrandTotal, so.GrandTotal)
	wantDecimal(t, "outstanding", inv.OutstandingAmount, dec("124.41"))
	// The coupon has no account of its own, so it reduces income: 119.48 - 10.00.
	e.wantBalances(map[string]string{"Debtors - ACME": "124.41", "Sales - ACME": "-109.48", salesTax: "-9.93", shipping: "-5.00"})

	pe, err := e.client.CreatePaymentEntry(ctx(t), erpnext.PaymentEntry{
		PaymentType: erpnext.PaymentReceive, Party: c.Name, PaidTo: stripe, PaidAmount: dec("124.41"),
		ModeOfPayment: "Credit Card", ReferenceNo: "ch_3Nx", ReferenceDate: "2026-12-04",
		References: []erpnext.PaymentReference{{ReferenceDoctype: "Sales Invoice", ReferenceName: inv.Name, AllocatedAmount: dec("124.41")}},
	})
	e.must(err)
	if pe.Docstatus != erpnext.Submitted || !pe.UnallocatedAmount.IsZero() {
		t.Errorf("payment %s: docstatus %d, unallocated %s", pe.Name, pe.Docstatus, pe.UnallocatedAmount)
	}
	e.wantBalances(map[string]string{"Debtors - ACME": "0", stripe: "124.41"})
	found, err := e.client.PaymentEntriesByReference(ctx(t), "ch_3Nx")
	e.must(err)
	if len(found) != 1 || found[0].Name != pe.Name || len(found[0].References) != 1 {
		t.Errorf("payments by reference %+v", found)
	}

	// The customer returns one hoodie: 49.99 and its share of the tax, 4.15.
	note, err := e.client.CreateCreditNote(ctx(t), erpnext.CreditNote{
		ReturnAgainst: inv.Name, CorrelationID: "corr-refund-1",
		Items: []erpnext.SalesInvoiceItem{{ItemCode: "HD-BLK-M", Qty: dec("1"), Rate: dec("49.99")}},
		Taxes: []erpnext.SalesTax{erpnext.ActualCharge(salesTax, "US-CA-STATE TAX-1", dec("4.15"))},
	})
	e.must(err)
	if note.IsReturn != 1 || note.ReturnAgainst != inv.Name || note.Status != "Return" {
		t.Errorf("credit note %s: is_return %d against %q status %s", note.Name, note.IsReturn, note.ReturnAgainst, note.Status)
	}
	wantDecimal(t, "credit note total", note.GrandTotal, dec("-54.14"))
	e.wantBalances(map[string]string{"Debtors - ACME": "-54.14", "Sales - ACME": "-59.49", salesTax: "-5.78"})

	refund, err := e.client.CreatePaymentEntry(ctx(t), erpnext.PaymentEntry{
		PaymentType: erpnext.PaymentPay, Party: c.Name, PaidFrom: stripe, PaidAmount: dec("54.14"), ReferenceNo: "re_1",
		References: []erpnext.PaymentReference{{ReferenceDoctype: "Sales Invoice", ReferenceName: inv.Name, AllocatedAmount: dec("54.14")}},
	})
	e.must(err)
	e.wantBalances(map[string]string{"Debtors - ACME": "0", stripe: "70.27", "Sales - ACME": "-59.49", salesTax: "-5.78", shipping: "-5.00"})
	after, err := e.client.GetSalesInvoice(ctx(t), inv.Name)
	e.must(err)
	if !after.OutstandingAmount.IsZero() || after.Status != "Credit Note Issued" {
		t.Errorf("invoice after refund: outstanding %s status %s (refund %s)", after.OutstandingAmount, after.Status, refund.Name)
	}
	billed, err := e.client.GetSalesOrder(ctx(t), so.Name)
	e.must(err)
	if !billed.PerBilled.Equal(dec("100")) {
		t.Errorf("order billed %s%%, want 100", billed.PerBilled)
	}
}

func TestCreditNoteBeyondTheInvoiceIsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Jane Doe", "woo-cust-1")
	inv, err := e.client.CreateSalesInvoice(ctx(t), erpnext.SalesInvoice{Customer: c.Name, Items: []erpnext.SalesInvoiceItem{{ItemCode: "GIFT-WRAP", Qty: dec("1"), Rate: dec("3.00")}}})
	e.must(err)
	_, err = e.client.CreateCreditNote(ctx(t), erpnext.CreditNote{ReturnAgainst: inv.Name, Items: []erpnext.SalesInvoiceItem{{ItemCode: "GIFT-WRAP", Qty: dec("2"), Rate: dec("3.00")}}})
	wantFailure(t, err, failure.Permanent, failure.ReasonValidation, 417, "ValidationError", "Row #1: Cannot return more than invoiced for Item GIFT-WRAP")
	_, err = e.client.CreateCreditNote(ctx(t), erpnext.CreditNote{ReturnAgainst: inv.Name, Items: []erpnext.SalesInvoiceItem{{ItemCode: "GIFT-WRAP", Qty: dec("-1"), Rate: dec("3.00")}}})
	if err == nil {
		t.Error("a credit note line with a negative refunded quantity was accepted")
	}
	e.wantBalances(map[string]string{"Debtors - ACME": "3.00"})
}

func TestInvoicePerShipment(t *testing.T) {
	e := newEnv(t)
	e.must(e.site.MoveStock("HD-BLK-M", stores, dec("5")))
	e.must(e.site.MoveStock("TEE-WHT-S", stores, dec("5")))
	c := e.customer("Jane Doe", "woo-cust-1")
	so, _, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1"))
	e.must(err)
	shipped, err := e.site.Deliver(sim.Delivery{SalesOrder: so.Name, Lines: []sim.DeliveryLine{{ItemCode: "HD-BLK-M", Qty: dec("1")}}})
	e.must(err)

	draft, err := e.client.MakeSalesInvoiceFromDelivery(ctx(t), shipped.DeliveryNote)
	e.must(err)
	if len(draft.Items) != 1 || draft.Items[0].DeliveryNote != shipped.DeliveryNote || draft.Items[0].DNDetail == "" || draft.Items[0].SalesOrder != so.Name {
		t.Fatalf("mapped invoice lines %+v", draft.Items)
	}
	draft.Taxes = []erpnext.SalesTax{erpnext.ActualCharge(salesTax, "US-CA-STATE TAX-1", dec("4.15"))}
	inv, err := e.client.CreateSalesInvoice(ctx(t), draft)
	e.must(err)
	wantDecimal(t, "invoice for one hoodie", inv.GrandTotal, dec("54.14"))
	order, err := e.client.GetSalesOrder(ctx(t), so.Name)
	e.must(err)
	wantDecimal(t, "per_billed", order.PerBilled, dec("41.84")) // 49.99 of 119.48
	e.wantBalances(map[string]string{"Debtors - ACME": "54.14", "Sales - ACME": "-49.99", salesTax: "-4.15"})

	if _, err := e.client.MakeSalesInvoiceFromDelivery(ctx(t), "MAT-DN-2026-99999"); !erpnext.IsNotFound(err) {
		t.Errorf("mapping a missing delivery: %v, want not found", err)
	}
}
