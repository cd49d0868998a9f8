package erpnext

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/failure"
)

// Payment types of a Payment Entry.
const (
	PaymentReceive = "Receive" // money in from a customer
	PaymentPay     = "Pay"     // money out, e.g. a refund to a customer
)

// PaymentEntry records money received from (or paid back to) a customer and allocates it to invoices.
type PaymentEntry struct {
	Name                 string             `json:"name,omitempty"`
	PaymentType          string             `json:"payment_type"`
	PartyType            string             `json:"party_type"`
	Party                string             `json:"party"`
	Company              string             `json:"company,omitempty"`
	PostingDate          string             `json:"posting_date,omitempty"`
	ModeOfPayment        string             `json:"mode_of_payment,omitempty"`
	PaidFrom             string             `json:"paid_from,omitempty"`
	PaidTo               string             `json:"paid_to,omitempty"`
	PaidAmount           decimal.Decimal    `json:"paid_amount"`
	ReceivedAmount       decimal.Decimal    `json:"received_amount"`
	ReferenceNo          string             `json:"reference_no,omitempty"`
	ReferenceDate        string             `json:"reference_date,omitempty"`
	CorrelationID        string             `json:"custom_retailsync_correlation_id,omitempty"`
	References           []PaymentReference `json:"references,omitempty"`
	TotalAllocatedAmount decimal.Decimal    `json:"total_allocated_amount,omitzero"`
	UnallocatedAmount    decimal.Decimal    `json:"unallocated_amount,omitzero"`
	Status               string             `json:"status,omitempty"`
	Docstatus            int                `json:"docstatus"`
	Modified             string             `json:"modified,omitempty"`
}

// PaymentReference allocates part of a payment to a document.
type PaymentReference struct {
	ReferenceDoctype  string          `json:"reference_doctype"`
	ReferenceName     string          `json:"reference_name"`
	AllocatedAmount   decimal.Decimal `json:"allocated_amount"`
	OutstandingAmount decimal.Decimal `json:"outstanding_amount,omitzero"`
}

// CreatePaymentEntry inserts and submits a payment from (Receive) or to (Pay) a customer, which
// posts it and lowers the outstanding amounts of the referenced invoices.
func (c *Client) CreatePaymentEntry(ctx context.Context, pe PaymentEntry) (PaymentEntry, error) {
	if pe.PaymentType != PaymentReceive && pe.PaymentType != PaymentPay {
		return PaymentEntry{}, failure.Permanentf(failure.ReasonValidation, "payment type %q: want Receive or Pay", pe.PaymentType)
	}
	if !pe.PaidAmount.IsPositive() {
		return PaymentEntry{}, failure.Permanentf(failure.ReasonValidation, "payment %s: paid amount must be positive, not %s", pe.ReferenceNo, pe.PaidAmount)
	}
	if pe.PartyType == "" {
		pe.PartyType = "Customer"
	}
	if pe.ReceivedAmount.IsZero() {
		pe.ReceivedAmount = pe.PaidAmount
	}
	pe.Name, pe.Modified, pe.Status = "", "", ""
	var out PaymentEntry
	err := c.InsertAndSubmit(ctx, "Payment Entry", pe, &out)
	return out, err
}

// PaymentEntriesByReference reads the submitted payments carrying a reference number (the store's
// transaction id), so that a retried payment can be recognised before it is posted twice.
func (c *Client) PaymentEntriesByReference(ctx context.Context, referenceNo string) ([]PaymentEntry, error) {
	return getAllMatching[PaymentEntry](ctx, c, "Payment Entry", []Filter{Eq("reference_no", referenceNo), Eq("docstatus", Submitted)})
}
