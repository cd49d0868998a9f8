package erpnext_test

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestItemAndPrices(t *testing.T) {
	e := newEnv(t)
	item, err := e.client.GetItem(ctx(t), "HD-BLK-M")
	e.must(err)
	if item.ItemCode != "HD-BLK-M" || item.ItemGroup != "Apparel" || item.IsStockItem != 1 || item.StockUOM != "Nos" {
		t.Errorf("item %+v", item)
	}
	_, err = e.site.SetPrice("HD-BLK-M", "Standard Selling", dec("49.99"))
	e.must(err)
	_, err = e.site.SetPrice("TEE-WHT-S", "Standard Selling", dec("19.50"))
	e.must(err)
	_, err = e.site.SetPrice("HD-BLK-M", "Standard Selling", dec("44.99"))
	e.must(err)
	prices, err := e.client.ItemPrices(ctx(t), "Standard Selling", "HD-BLK-M")
	e.must(err)
	if len(prices) != 1 || prices[0].Currency != "USD" {
		t.Fatalf("prices %+v", prices)
	}
	wantDecimal(t, "HD-BLK-M price", prices[0].PriceListRate, dec("44.99"))
	all, err := e.client.ItemPrices(ctx(t), "Standard Selling")
	e.must(err)
	if len(all) != 2 {
		t.Errorf("%d prices on the list, want 2", len(all))
	}
}

func TestBinsPerWarehouseWithProjectedAndAvailable(t *testing.T) {
	e := newEnv(t)
	e.site.AddWarehouse("East - ACME")
	e.must(e.site.MoveStock("HD-BLK-M", stores, decimal.NewFromInt(10)))
	e.must(e.site.MoveStock("HD-BLK-M", "East - ACME", decimal.NewFromInt(4)))
	e.must(e.site.MoveStock("TEE-WHT-S", stores, decimal.NewFromInt(1)))
	c := e.customer("Jane Doe", "woo-cust-1")
	_, _, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1"))
	e.must(err)

	bins, err := e.client.Bins(ctx(t), []string{"HD-BLK-M", "TEE-WHT-S"}, []string{stores, "East - ACME"})
	e.must(err)
	want := map[[2]string][3]string{ // actual, reserved, available
		{"HD-BLK-M", "East - ACME"}: {"4", "0", "4"},
		{"HD-BLK-M", stores}:        {"10", "2", "8"},
		{"TEE-WHT-S", stores}:       {"1", "1", "0"},
	}
	if len(bins) != len(want) {
		t.Fatalf("%d bins, want %d: %+v", len(bins), len(want), bins)
	}
	for _, b := range bins {
		w, ok := want[[2]string{b.ItemCode, b.Warehouse}]
		if !ok {
			t.Errorf("unexpected bin %s/%s", b.ItemCode, b.Warehouse)
			continue
		}
		wantDecimal(t, b.ItemCode+"@"+b.Warehouse+" actual", b.ActualQty, dec(w[0]))
		wantDecimal(t, b.ItemCode+"@"+b.Warehouse+" reserved", b.ReservedQty, dec(w[1]))
		wantDecimal(t, b.ItemCode+"@"+b.Warehouse+" available", b.Available(), dec(w[2]))
		wantDecimal(t, b.ItemCode+"@"+b.Warehouse+" projected (ERP) vs formula", b.ProjectedQty, b.Projected())
	}
	east, err := e.client.Bins(ctx(t), nil, []string{"East - ACME"})
	e.must(err)
	if len(east) != 1 {
		t.Errorf("bins in East = %d, want 1", len(east))
	}
}
