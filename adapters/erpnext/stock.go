package erpnext

import (
	"context"

	"github.com/shopspring/decimal"
)

// Bin is ERPNext's stock ledger summary of one item in one warehouse.
type Bin struct {
	Name                      string          `json:"name"`
	ItemCode                  string          `json:"item_code"`
	Warehouse                 string          `json:"warehouse"`
	ActualQty                 decimal.Decimal `json:"actual_qty"`
	ReservedQty               decimal.Decimal `json:"reserved_qty"`
	OrderedQty                decimal.Decimal `json:"ordered_qty"`
	IndentedQty               decimal.Decimal `json:"indented_qty"`
	PlannedQty                decimal.Decimal `json:"planned_qty"`
	ReservedQtyForProduction  decimal.Decimal `json:"reserved_qty_for_production"`
	ReservedQtyForSubContract decimal.Decimal `json:"reserved_qty_for_sub_contract"`
	ProjectedQty              decimal.Decimal `json:"projected_qty"`
	Modified                  string          `json:"modified"`
}

// BinFields are the Bin fields the client reads.
var BinFields = []string{"name", "item_code", "warehouse", "actual_qty", "reserved_qty", "ordered_qty", "indented_qty", "planned_qty", "reserved_qty_for_production", "reserved_qty_for_sub_contract", "projected_qty", "modified"}

// Projected is ERPNext's projected quantity: actual + ordered + indented + planned - reserved -
// reserved for production - reserved for subcontracting. It counts stock not yet here.
func (b Bin) Projected() decimal.Decimal {
	return b.ActualQty.Add(b.OrderedQty).Add(b.IndentedQty).Add(b.PlannedQty).
		Sub(b.ReservedQty).Sub(b.ReservedQtyForProduction).Sub(b.ReservedQtyForSubContract)
}

// Available is what can be promised to a new store order from this warehouse now: stock on hand
// minus everything already reserved (sales orders, production, subcontracting). Stock on order is
// not counted: it is not here yet. Safety stock and channel allocation are the flow's business.
func (b Bin) Available() decimal.Decimal {
	return b.ActualQty.Sub(b.ReservedQty).Sub(b.ReservedQtyForProduction).Sub(b.ReservedQtyForSubContract)
}

// Bins reads the Bins of the given items in the given warehouses (all of either when empty).
func (c *Client) Bins(ctx context.Context, itemCodes, warehouses []string) ([]Bin, error) {
	var filters []Filter
	if len(itemCodes) > 0 {
		filters = append(filters, In("item_code", itemCodes))
	}
	if len(warehouses) > 0 {
		filters = append(filters, In("warehouse", warehouses))
	}
	return ListAll[Bin](ctx, c, "Bin", ListOptions{Fields: BinFields, Filters: filters, OrderBy: "item_code asc, warehouse asc"}, 0)
}
