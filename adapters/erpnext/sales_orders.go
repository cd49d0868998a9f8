package erpnext

import (
	"context"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/failure"
)

// The custom fields retailsync adds to the ERPNext site.
const (
	// FieldExternalOrderID is a UNIQUE custom field on Sales Order holding the store's order id:
	// the database, not the worker, guarantees one ERP order per store order.
	FieldExternalOrderID = "custom_external_order_id"
	// FieldCorrelationID carries the correlation id from intake to the ERP document.
	FieldCorrelationID = "custom_retailsync_correlation_id"
)

// SalesOrder is an ERPNext Sales Order with its lines and charges.
type SalesOrder struct {
	Name             string           `json:"name,omitempty"`
	Customer         string           `json:"customer"`
	Company          string           `json:"company,omitempty"`
	TransactionDate  string           `json:"transaction_date,omitempty"`
	DeliveryDate     string           `json:"delivery_date,omitempty"`
	Currency         string           `json:"currency,omitempty"`
	SellingPriceList string           `json:"selling_price_list,omitempty"`
	SetWarehouse     string           `json:"set_warehouse,omitempty"`
	PONo             string           `json:"po_no,omitempty"`
	ExternalOrderID  string           `json:"custom_external_order_id,omitempty"`
	CorrelationID    string           `json:"custom_retailsync_correlation_id,omitempty"`
	Items            []SalesOrderItem `json:"items"`
	Taxes            []SalesTax       `json:"taxes,omitempty"`
	DiscountAmount   decimal.Decimal  `json:"discount_amount"`
	// Computed by the ERP.
	NetTotal             decimal.Decimal `json:"net_total,omitzero"`
	TotalTaxesAndCharges decimal.Decimal `json:"total_taxes_and_charges,omitzero"`
	GrandTotal           decimal.Decimal `json:"grand_total,omitzero"`
	PerDelivered         decimal.Decimal `json:"per_delivered,omitzero"`
	PerBilled            decimal.Decimal `json:"per_billed,omitzero"`
	Status               string          `json:"status,omitempty"`
	Docstatus            int             `json:"docstatus"`
	Modified             string          `json:"modified,omitempty"`
}

// SalesOrderItem is one order line.
type SalesOrderItem struct {
	Name         string          `json:"name,omitempty"`
	ItemCode     string          `json:"item_code"`
	Qty          decimal.Decimal `json:"qty"`
	Rate         decimal.Decimal `json:"rate"`
	UOM          string          `json:"uom,omitempty"`
	Warehouse    string          `json:"warehouse,omitempty"`
	DeliveryDate string          `json:"delivery_date,omitempty"`
	Amount       decimal.Decimal `json:"amount,omitzero"`
	DeliveredQty decimal.Decimal `json:"delivered_qty,omitzero"`
	BilledAmt    decimal.Decimal `json:"billed_amt,omitzero"`
}

// SalesTax is a row of Sales Taxes and Charges: one per tax rate, shipping charge or fee, as the
// caller chooses. ChargeType "Actual" posts TaxAmount as given to AccountHead.
type SalesTax struct {
	ChargeType  string          `json:"charge_type"`
	AccountHead string          `json:"account_head"`
	Description string          `json:"description"`
	Rate        decimal.Decimal `json:"rate"`
	TaxAmount   decimal.Decimal `json:"tax_amount"`
	Total       decimal.Decimal `json:"total,omitzero"`
}

// ActualCharge is a SalesTax row of a fixed amount.
func ActualCharge(account, description string, amount decimal.Decimal) SalesTax {
	return SalesTax{ChargeType: "Actual", AccountHead: account, Description: description, TaxAmount: amount}
}

// SalesOrderByExternalID reads the order that carries the store's order id, if any.
func (c *Client) SalesOrderByExternalID(ctx context.Context, externalID string) (SalesOrder, bool, error) {
	var names []struct {
		Name string `json:"name"`
	}
	err := c.List(ctx, "Sales Order", ListOptions{Filters: []Filter{Eq(FieldExternalOrderID, externalID)}, PageLength: 1}, &names)
	if err != nil || len(names) == 0 {
		return SalesOrder{}, false, err
	}
	so, err := c.GetSalesOrder(ctx, names[0].Name)
	return so, err == nil, err
}

// GetSalesOrder reads an order with its lines and charges.
func (c *Client) GetSalesOrder(ctx context.Context, name string) (SalesOrder, error) {
	var so SalesOrder
	err := c.Get(ctx, "Sales Order", name, &so)
	return so, err
}

// EnsureSalesOrder creates and submits the order unless one with its external order id exists, and
// returns the order the ERP holds. Under a race or a retry after a lost answer, the unique field
// refuses the second insert and the existing order is returned: one ERP order per store order.
// created says this call made it.
func (c *Client) EnsureSalesOrder(ctx context.Context, so SalesOrder) (SalesOrder, bool, error) {
	so.ExternalOrderID = strings.TrimSpace(so.ExternalOrderID)
	if so.ExternalOrderID == "" {
		return SalesOrder{}, false, failure.Permanentf(failure.ReasonValidation, "a Sales Order from the store needs its external order id")
	}
	if len(so.Items) == 0 {
		return SalesOrder{}, false, failure.Permanentf(failure.ReasonValidation, "store order %s has no lines", so.ExternalOrderID)
	}
	if existing, ok, err := c.SalesOrderByExternalID(ctx, so.ExternalOrderID); err != nil || ok {
		return existing, false, err
	}
	so.Name, so.Modified, so.Status = "", "", ""
	var created SalesOrder
	err := c.InsertAndSubmit(ctx, "Sales Order", so, &created)
	if IsDuplicate(err) {
		existing, ok, ferr := c.SalesOrderByExternalID(ctx, so.ExternalOrderID)
		if ferr != nil || ok {
			return existing, false, ferr
		}
	}
	if err != nil {
		return SalesOrder{}, false, err
	}
	return created, true, nil
}
