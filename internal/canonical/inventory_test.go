package canonical

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestInventoryPositionAvailableToSell(t *testing.T) {
	d := decimal.NewFromInt
	for _, tc := range []struct {
		name                                         string
		onHand, reserved, erpSafety, setSafety, want int64
	}{
		{"plain", 10, 3, 0, 2, 5},
		{"ERP safety stock larger wins", 10, 3, 4, 2, 3},
		{"oversold floors at zero", 2, 5, 0, 1, 0},
		{"exactly at safety stock", 5, 0, 0, 5, 0},
	} {
		p := InventoryPosition{OnHand: d(tc.onHand), Reserved: d(tc.reserved), SafetyStock: d(tc.erpSafety)}
		if got := p.AvailableToSell(d(tc.setSafety)); !got.Equal(d(tc.want)) {
			t.Errorf("%s: AvailableToSell = %s, want %d", tc.name, got, tc.want)
		}
	}
}

func TestInventoryPositionNewerThan(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	older, newer := InventoryPosition{AsOf: t0}, InventoryPosition{AsOf: t0.Add(time.Second)}
	if !newer.NewerThan(older) || older.NewerThan(newer) || older.NewerThan(older) {
		t.Error("NewerThan must hold only for a strictly later AsOf")
	}
}
