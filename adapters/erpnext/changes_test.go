package erpnext_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

// TestChangeFeedNeverSkipsATie freezes the site clock so that many items share one modified
// timestamp across page boundaries, the case where a plain modified > cursor feed loses documents.
func TestChangeFeedNeverSkipsATie(t *testing.T) {
	clock := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, withSim(func(o *sim.Options) { o.Now = func() time.Time { return clock } }))
	for i := range 7 {
		e.must(e.site.AddItem(sim.ItemSpec{Code: fmt.Sprintf("TIE-%02d", i)}))
	}
	clock = clock.Add(time.Second)
	e.must(e.site.AddItem(sim.ItemSpec{Code: "LATER"}))

	var seen []string
	cursor := erpnext.Cursor{}
	for range 20 {
		items, next, err := erpnext.Changes[erpnext.Item](ctx(t), e.client, "Item", erpnext.ItemFields, cursor, 3)
		e.must(err)
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			seen = append(seen, it.ItemCode)
		}
		cursor = next
	}
	want := []string{"GIFT-WRAP", "HD-BLK-M", "TEE-WHT-S", "TIE-00", "TIE-01", "TIE-02", "TIE-03", "TIE-04", "TIE-05", "TIE-06", "LATER"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("feed read %v\nwant %v", seen, want)
	}
	if cursor.Name != "LATER" {
		t.Errorf("final cursor %+v", cursor)
	}

	// Nothing new: the feed stays put. A price change moves the item's Item Price, not the Item.
	items, next, err := erpnext.Changes[erpnext.Item](ctx(t), e.client, "Item", erpnext.ItemFields, cursor, 3)
	e.must(err)
	if len(items) != 0 || next != cursor {
		t.Errorf("caught-up feed returned %d items, cursor %+v", len(items), next)
	}
	clock = clock.Add(time.Second)
	_, err = e.site.SetPrice("TIE-03", "Standard Selling", dec("12.00"))
	e.must(err)
	prices, _, err := erpnext.Changes[erpnext.ItemPrice](ctx(t), e.client, "Item Price", erpnext.ItemPriceFields, erpnext.Cursor{Modified: cursor.Modified}, 10)
	e.must(err)
	if len(prices) != 1 || prices[0].ItemCode != "TIE-03" || !prices[0].PriceListRate.Equal(dec("12")) {
		t.Errorf("price changes %+v", prices)
	}
}

func TestBinChangesFollowStockMoves(t *testing.T) {
	clock := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, withSim(func(o *sim.Options) { o.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock } }))
	e.must(e.site.MoveStock("HD-BLK-M", stores, dec("3")))
	bins, cursor, err := erpnext.Changes[erpnext.Bin](ctx(t), e.client, "Bin", erpnext.BinFields, erpnext.Cursor{}, 10)
	e.must(err)
	if len(bins) != 1 {
		t.Fatalf("bins %+v", bins)
	}
	e.must(e.site.MoveStock("TEE-WHT-S", stores, dec("2")))
	e.must(e.site.MoveStock("HD-BLK-M", stores, dec("-1")))
	bins, _, err = erpnext.Changes[erpnext.Bin](ctx(t), e.client, "Bin", erpnext.BinFields, cursor, 10)
	e.must(err)
	if len(bins) != 2 || bins[0].ItemCode != "TEE-WHT-S" || bins[1].ItemCode != "HD-BLK-M" || !bins[1].ActualQty.Equal(dec("2")) {
		t.Errorf("changed bins %+v", bins)
	}
}
