package canonical

import (
	"time"

	"github.com/shopspring/decimal"
)

// InventoryPosition is the stock of one item in one ERP location.
type InventoryPosition struct {
	// ItemCode is the ERP item code.
	ItemCode string `json:"itemCode"`
	// Location is the ERP warehouse.
	Location string `json:"location"`
	// OnHand is the physical quantity (ERPNext Bin actual_qty, Odoo stock.quant quantity).
	OnHand decimal.Decimal `json:"onHand"`
	// Reserved is promised to open orders and must not be sold again.
	Reserved decimal.Decimal `json:"reserved"`
	// SafetyStock is what the ERP itself keeps back for this item here; zero when it keeps nothing.
	SafetyStock decimal.Decimal `json:"safetyStock"`
	// AsOf is when the ERP last changed the position. The Inventory flow uses it so an older
	// position never overwrites a newer one.
	AsOf time.Time `json:"asOf"`
}

// AvailableToSell is on hand less reserved less safety stock, never below zero: a location that is
// oversold does not borrow from the others.
func (p InventoryPosition) AvailableToSell(safetyStock decimal.Decimal) decimal.Decimal {
	avail := p.OnHand.Sub(p.Reserved).Sub(decimal.Max(safetyStock, p.SafetyStock))
	return decimal.Max(avail, decimal.Zero)
}

// NewerThan reports whether p describes a later state than o. Equal times are not newer, so a
// redelivered position changes nothing.
func (p InventoryPosition) NewerThan(o InventoryPosition) bool { return p.AsOf.After(o.AsOf) }
