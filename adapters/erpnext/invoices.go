package erpnext

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/failure"
)

// SalesInvoice is an ERPNext Sales Invoice; with IsReturn 1 and ReturnAgainst it is a credit note.
type SalesInvoice struct {
	Name                      string             `json:"name,omitempty"`
	Customer                  string             `json:"customer"`
	Company                   string             `json:"company,omitempty"`
	PostingDate               string             `json:"posting_date,omitempty"`
	DueDate                   string             `json:"due_date,omitempty"`
	Currency                  string             `json:"currency,omitempty"`
	DebitTo                   string             `json:"debit_to,omitempty"`
	IsReturn                  int                `json:"is_return"`
	ReturnAgainst             string             `json:"return_against,omitempty"`
	CorrelationID             string             `json:"custom_retailsync_correlation_id,omitempty"`
	Items                     []SalesInvoiceItem `json:"items"`
	Taxes                     []SalesTax         `json:"taxes,omitempty"`
	DiscountAmount            decimal.Decimal    `json:"discount_amount"`
	AdditionalDiscountAccount string             `json:"additional_discount_account,omitempty"`
	// Computed by the ERP.
	NetTotal             decimal.Decimal `json:"net_total,omitzero"`
	TotalTaxesAndCharges decimal.Decimal `json:"total_taxes_and_charges,omitzero"`
	GrandTotal           decimal.Decimal `json:"grand_total,omitzero"`
	OutstandingAmount    decimal.Decimal `json:"outstanding_amount,omitzero"`
	Status               string          `json:"status,omitempty"`
	Docstatus            int             `json:"docstatus"`
	Modified             string          `json:"modified,omitempty"`
}

// SalesInvoiceItem is one invoiced line; SalesOrder and SODetail link it to the order line it bills.
type SalesInvoiceItem struct {
	ItemCode      string          `json:"item_code"`
	Qty           decimal.Decimal `json:"qty"`
	Rate          decimal.Decimal `json:"rate"`
	Amount        decimal.Decimal `json:"amount,omitzero"`
	IncomeAccount string          `json:"income_account,omitempty"`
	Warehouse     string          `json:"warehouse,omitempty"`
	SalesOrder    string          `json:"sales_order,omitempty"`
	SODetail      string          `json:"so_detail,omitempty"`
	DeliveryNote  string          `json:"delivery_note,omitempty"`
	DNDetail      string          `json:"dn_detail,omitempty"`
}

// GetSalesInvoice reads an invoice or credit note.
func (c *Client) GetSalesInvoice(ctx context.Context, name string) (SalesInvoice, error) {
	var inv SalesInvoice
	err := c.Get(ctx, "Sales Invoice", name, &inv)
	return inv, err
}

// MakeSalesInvoice asks ERPNext to map a submitted order to an invoice draft for what is not yet
// billed (make_sales_invoice); the caller may adjust it and pass it to CreateSalesInvoice.
func (c *Client) MakeSalesInvoice(ctx context.Context, salesOrder string) (SalesInvoice, error) {
	var inv SalesInvoice
	err := c.Call(ctx, "erpnext.selling.doctype.sales_order.sales_order.make_sales_invoice", map[string]any{"source_name": salesOrder}, &inv)
	return inv, err
}

// MakeSalesInvoiceFromDelivery maps a submitted Delivery Note to an invoice draft for the shipped
// lines (invoicing per shipment); charges are the caller's to add.
func (c *Client) MakeSalesInvoiceFromDelivery(ctx context.Context, deliveryNote string) (SalesInvoice, error) {
	var inv SalesInvoice
	err := c.Call(ctx, "erpnext.stock.doctype.delivery_note.delivery_note.make_sales_invoice", map[string]any{"source_name": deliveryNote}, &inv)
	return inv, err
}

// CreateSalesInvoice inserts and submits an invoice, which posts it to the ledger.
func (c *Client) CreateSalesInvoice(ctx context.Context, inv SalesInvoice) (SalesInvoice, error) {
	if len(inv.Items) == 0 {
		return SalesInvoice{}, failure.Permanentf(failure.ReasonValidation, "an invoice for %s has no lines", inv.Customer)
	}
	if inv.IsReturn == 0 && inv.ReturnAgainst != "" {
		return SalesInvoice{}, failure.Permanentf(failure.ReasonValidation, "an invoice with return_against must be a credit note")
	}
	inv.Name, inv.Modified, inv.Status = "", "", ""
	var out SalesInvoice
	err := c.InsertAndSubmit(ctx, "Sales Invoice", inv, &out)
	return out, err
}

// CreditNote describes a refund against a submitted invoice in positive quantities and amounts, as a
// store reports it; CreateCreditNote negates them as ERPNext requires of a return.
type CreditNote struct {
	ReturnAgainst  string
	Items          []SalesInvoiceItem
	Taxes          []SalesTax
	DiscountAmount decimal.Decimal
	CorrelationID  string
}

// CreateCreditNote submits a credit note (is_return 1, return_against the invoice) with the lines
// and charges refunded, which reverses their income and tax in the ledger and lowers the invoice's
// outstanding amount.
func (c *Client) CreateCreditNote(ctx context.Context, note CreditNote) (SalesInvoice, error) {
	orig, err := c.GetSalesInvoice(ctx, note.ReturnAgainst)
	if err != nil {
		return SalesInvoice{}, err
	}
	ret := SalesInvoice{
		Customer: orig.Customer, Company: orig.Company, Currency: orig.Currency, DebitTo: orig.DebitTo,
		IsReturn: 1, ReturnAgainst: orig.Name, CorrelationID: note.CorrelationID,
		DiscountAmount: note.DiscountAmount.Neg(), AdditionalDiscountAccount: orig.AdditionalDiscountAccount,
	}
	for _, it := range note.Items {
		if !it.Qty.IsPositive() {
			return SalesInvoice{}, failure.Permanentf(failure.ReasonValidation, "credit note line %s: give the refunded quantity as a positive number", it.ItemCode)
		}
		it.Qty = it.Qty.Neg()
		it.Amount = decimal.Zero
		ret.Items = append(ret.Items, it)
	}
	for _, t := range note.Taxes {
		t.TaxAmount = t.TaxAmount.Neg()
		t.Total = decimal.Zero
		ret.Taxes = append(ret.Taxes, t)
	}
	var out SalesInvoice
	err = c.InsertAndSubmit(ctx, "Sales Invoice", ret, &out)
	return out, err
}
