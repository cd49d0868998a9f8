package erpnext

import (
	"context"

	"github.com/shopspring/decimal"
)

// DeliveryNote is stock that left a warehouse for a customer, usually against a Sales Order.
type DeliveryNote struct {
	Name        string             `json:"name"`
	Customer    string             `json:"customer"`
	PostingDate string             `json:"posting_date"`
	IsReturn    int                `json:"is_return"`
	Items       []DeliveryNoteItem `json:"items"`
	GrandTotal  decimal.Decimal    `json:"grand_total"`
	Status      string             `json:"status"`
	Docstatus   int                `json:"docstatus"`
	Modified    string             `json:"modified"`
}

// DeliveryNoteItem is one shipped line; SODetail names the Sales Order line it fulfils.
type DeliveryNoteItem struct {
	ItemCode          string          `json:"item_code"`
	Qty               decimal.Decimal `json:"qty"`
	Warehouse         string          `json:"warehouse"`
	AgainstSalesOrder string          `json:"against_sales_order"`
	SODetail          string          `json:"so_detail"`
}

// Shipment carries the carrier and tracking of one or more Delivery Notes.
type Shipment struct {
	Name                 string                 `json:"name"`
	Carrier              string                 `json:"carrier"`
	CarrierService       string                 `json:"carrier_service"`
	AWBNumber            string                 `json:"awb_number"`
	TrackingURL          string                 `json:"tracking_url"`
	TrackingStatus       string                 `json:"tracking_status"`
	TrackingStatusInfo   string                 `json:"tracking_status_info"`
	ShipmentDeliveryNote []ShipmentDeliveryNote `json:"shipment_delivery_note"`
	Docstatus            int                    `json:"docstatus"`
	Modified             string                 `json:"modified"`
}

// ShipmentDeliveryNote links a Shipment to a Delivery Note.
type ShipmentDeliveryNote struct {
	DeliveryNote string `json:"delivery_note"`
}

// DeliveryNotesForSalesOrder reads the submitted Delivery Notes that ship lines of an order.
func (c *Client) DeliveryNotesForSalesOrder(ctx context.Context, salesOrder string) ([]DeliveryNote, error) {
	return getAllMatching[DeliveryNote](ctx, c, "Delivery Note", []Filter{
		{ChildDoctype: "Delivery Note Item", Field: "against_sales_order", Operator: "=", Value: salesOrder},
		Eq("docstatus", Submitted),
	})
}

// ShipmentsForDeliveryNotes reads the submitted Shipments that carry any of the Delivery Notes.
func (c *Client) ShipmentsForDeliveryNotes(ctx context.Context, deliveryNotes []string) ([]Shipment, error) {
	if len(deliveryNotes) == 0 {
		return nil, nil
	}
	return getAllMatching[Shipment](ctx, c, "Shipment", []Filter{
		{ChildDoctype: "Shipment Delivery Note", Field: "delivery_note", Operator: "in", Value: deliveryNotes},
		Eq("docstatus", Submitted),
	})
}

// getAllMatching lists the names matching filters and reads each document whole, because a list
// does not return child tables.
func getAllMatching[T any](ctx context.Context, c *Client, doctype string, filters []Filter) ([]T, error) {
	type named struct {
		Name string `json:"name"`
	}
	names, err := ListAll[named](ctx, c, doctype, ListOptions{Filters: filters, OrderBy: "creation asc, name asc"}, 0)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(names))
	for _, n := range names {
		var d T
		if err := c.Get(ctx, doctype, n.Name, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
