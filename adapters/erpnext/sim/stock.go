package sim

import "github.com/shopspring/decimal"

// binFields are the quantities of a Bin, one per item and warehouse.
var binFields = []string{
	"actual_qty", "reserved_qty", "ordered_qty", "indented_qty", "planned_qty",
	"reserved_qty_for_production", "reserved_qty_for_sub_contract", "projected_qty",
}

// bin returns the Bin of item in warehouse, creating an empty one as ERPNext does on first use.
func (s *Server) bin(item, warehouse string) doc {
	for _, b := range s.docs["Bin"] {
		if b.str("item_code") == item && b.str("warehouse") == warehouse {
			return b
		}
	}
	b := doc{"item_code": item, "warehouse": warehouse}
	if it, ok := s.get("Item", item); ok {
		b["stock_uom"] = it["stock_uom"]
	}
	for _, f := range binFields {
		b.setNum(f, decimal.Zero)
	}
	return s.put("Bin", b)
}

// moveBin changes a Bin's actual and reserved quantities and recomputes projected_qty with ERPNext's
// formula: actual + ordered + indented + planned - reserved - reserved for production - reserved for
// subcontracting.
func (s *Server) moveBin(item, warehouse string, actual, reserved decimal.Decimal) {
	b := s.bin(item, warehouse)
	b.setNum("actual_qty", b.num("actual_qty").Add(actual))
	b.setNum("reserved_qty", b.num("reserved_qty").Add(reserved))
	b.setNum("projected_qty", b.num("actual_qty").
		Add(b.num("ordered_qty")).Add(b.num("indented_qty")).Add(b.num("planned_qty")).
		Sub(b.num("reserved_qty")).Sub(b.num("reserved_qty_for_production")).Sub(b.num("reserved_qty_for_sub_contract")))
	s.touch(b)
}
