package erpnext_test

import (
	"fmt"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext"
)

// BenchmarkEnsureSalesOrder measures creating store orders in the simulator through the client
// (lookup by external id, then insert-and-submit): the Orders flow's ERP side with no latency.
func BenchmarkEnsureSalesOrder(b *testing.B) {
	e := newEnv(b)
	c, _, err := e.client.EnsureCustomer(b.Context(), erpnext.Customer{CustomerName: "Bench", StoreCustomerID: "woo-cust-bench"})
	if err != nil {
		b.Fatal(err)
	}
	e.site.Kit().Accounting.Reset()
	i := 0
	for b.Loop() {
		if _, _, err := e.client.EnsureSalesOrder(b.Context(), storeOrder(c.Name, fmt.Sprintf("woo-%d", i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(e.site.Kit().Accounting.Total())/float64(b.N), "requests/order")
}
