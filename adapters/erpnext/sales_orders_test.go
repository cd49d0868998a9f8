package erpnext_test

import (
	"sync"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/internal/failure"
)

func TestEnsureSalesOrderComputesTotalsToTheCent(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Jane Doe", "woo-cust-1")
	so, created, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1001"))
	e.must(err)
	if !created || so.Docstatus != erpnext.Submitted || so.Status != "To Deliver and Bill" {
		t.Errorf("created %v, docstatus %d, status %s", created, so.Docstatus, so.Status)
	}
	// 2 x 49.99 + 19.50 = 119.48; + 9.93 tax + 5.00 shipping - 10.00 coupon = 124.41
	wantDecimal(t, "net_total", so.NetTotal, dec("119.48"))
	wantDecimal(t, "total_taxes_and_charges", so.TotalTaxesAndCharges, dec("14.93"))
	wantDecimal(t, "grand_total", so.GrandTotal, dec("124.41"))
	if so.ExternalOrderID != "woo-1001" || so.CorrelationID != "corr-woo-1001" || len(so.Taxes) != 2 {
		t.Errorf("order %s: external id %q, correlation %q, %d tax rows", so.Name, so.ExternalOrderID, so.CorrelationID, len(so.Taxes))
	}
	if so.Items[0].Warehouse != stores {
		t.Errorf("line warehouse = %q, want %q from set_warehouse", so.Items[0].Warehouse, stores)
	}

	again, created, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1001"))
	e.must(err)
	if created || again.Name != so.Name {
		t.Errorf("second ensure: created %v name %s, want the existing %s", created, again.Name, so.Name)
	}
}

func TestEnsureSalesOrderUnderARaceCreatesExactlyOne(t *testing.T) {
	for name, frappeUnique := range map[string]bool{"409": false, "417 UniqueValidationError": true} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, withSim(func(o *sim.Options) { o.UniqueAsValidationError = frappeUnique }))
			c := e.customer("Jane Doe", "woo-cust-1")
			const workers = 8
			names := make(chan string, workers)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					so, _, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-race"))
					if err != nil {
						t.Error(err)
						return
					}
					names <- so.Name
				})
			}
			wg.Wait()
			close(names)
			orders := e.site.Names("Sales Order")
			if len(orders) != 1 {
				t.Fatalf("orders = %v, want exactly one", orders)
			}
			for n := range names {
				if n != orders[0] {
					t.Errorf("a worker got order %q, want %q", n, orders[0])
				}
			}
		})
	}
}

func TestEnsureSalesOrderRefusesBadOrders(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Jane Doe", "woo-cust-1")
	noID := storeOrder(c.Name, "")
	noLines := storeOrder(c.Name, "woo-2")
	noLines.Items = nil
	unknownSKU := storeOrder(c.Name, "woo-3")
	unknownSKU.Items[0].ItemCode = "NOT-IN-ERP"
	for name, so := range map[string]erpnext.SalesOrder{"no external id": noID, "no lines": noLines, "unknown item": unknownSKU} {
		if _, _, err := e.client.EnsureSalesOrder(ctx(t), so); !failure.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent failure", name, err)
		}
	}
	if n := len(e.site.Names("Sales Order")); n != 0 {
		t.Errorf("%d orders created", n)
	}
}
