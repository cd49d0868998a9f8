package mapping

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/canonical"
)

var hundred = decimal.NewFromInt(100)

// AvailableToSell is the whole number of units of itemCode the store may sell, from the item's
// positions in the ERP. For each location the MappingSet lists it takes on hand less reserved less
// safety stock (the larger of the location's and the ERP's), never below zero, applies the location's
// allocation percent and rounds down; the locations' results are summed. Rounding down per location
// means the store is never offered a unit that no single warehouse can ship. Positions in unlisted
// warehouses are ignored: their stock is not the store's to sell.
//
// It fails when a position belongs to another item, when two positions name the same location (the
// caller must keep only the newest; see InventoryPosition.NewerThan), or when the MappingSet lists no
// locations at all, since publishing zero stock for every product is never what a user meant.
func (m *Mapper) AvailableToSell(itemCode string, positions []canonical.InventoryPosition) (int64, error) {
	if len(m.locations) == 0 {
		return 0, m.notMapped(fmt.Sprintf("stock of item %q", itemCode), fmt.Errorf("spec.locations is empty"))
	}
	seen := make(map[string]bool, len(positions))
	var total int64
	for _, p := range positions {
		if p.ItemCode != itemCode {
			return 0, fmt.Errorf("available to sell for item %q: got a position of item %q", itemCode, p.ItemCode)
		}
		if seen[p.Location] {
			return 0, fmt.Errorf("available to sell for item %q: two positions in %q", itemCode, p.Location)
		}
		seen[p.Location] = true
		loc, listed := m.locations[p.Location]
		if !listed {
			continue
		}
		percent := int64(100)
		if loc.AllocationPercent != nil {
			percent = int64(*loc.AllocationPercent)
		}
		avail := p.AvailableToSell(decimal.NewFromInt32(loc.SafetyStock))
		total += avail.Mul(decimal.NewFromInt(percent)).Div(hundred).Floor().IntPart()
	}
	return total, nil
}
