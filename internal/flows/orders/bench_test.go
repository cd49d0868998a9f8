package orders_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/time/rate"

	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/internal/simkit"
)

// BenchmarkOrders carries b.N storefront orders (mixed shapes, all paid) from their webhook to a
// submitted Sales Order, with the ERP simulator answering every call after a fixed latency and at
// most maxInFlight orders written at once. It reports throughput, p50/p99 latency from webhook to
// the Sales Order's creation in the ERP, the API calls per order on each side, and the throughput
// as a ratio of the bound those limits allow: maxInFlight / (ERP calls per order x latency).
// "burst" sends every webhook at once (throughput; latency is mostly queueing), "paced" sends them
// at half the bound (latency of an unloaded flow).
// Run: go test -run '^$' -bench BenchmarkOrders -benchtime 400x ./internal/flows/orders/
func BenchmarkOrders(b *testing.B) {
	for _, tc := range []struct {
		latency     time.Duration
		maxInFlight int
		paced       bool
	}{
		{10 * time.Millisecond, 4, false},
		{20 * time.Millisecond, 8, false},
		{20 * time.Millisecond, 8, true},
	} {
		arrival := "burst"
		if tc.paced {
			arrival = "paced"
		}
		b.Run(fmt.Sprintf("%s,latency=%s,maxInFlight=%d", arrival, tc.latency, tc.maxInFlight), func(b *testing.B) {
			cfg := fastEngine()
			cfg.MaxInFlight = tc.maxInFlight
			e := newEnv(b, options{
				catalog:     wcsim.Catalog{SimpleProducts: 12, VariableProducts: 3, VariationsEach: 5, Customers: 40},
				erpFaults:   simkit.Faults{Latency: tc.latency},
				engine:      cfg,
				erpInFlight: tc.maxInFlight,
			})
			specs := make([]wcsim.OrderSpec, b.N)
			for i := range specs {
				specs[i] = e.shop.RandomOrder()
				specs[i].Status, specs[i].Paid = "", true
			}
			e.shop.Kit().Accounting.Reset()
			e.site.Kit().Accounting.Reset()
			hinted := make(map[string]time.Time, b.N)
			// Paced arrivals come at half the bound, assuming three ERP calls per order.
			arrivals := rate.NewLimiter(rate.Inf, 1)
			if tc.paced {
				arrivals = rate.NewLimiter(rate.Limit(float64(tc.maxInFlight)/(3*tc.latency.Seconds())/2), 1)
			}
			b.ResetTimer()
			start := time.Now()
			for _, spec := range specs {
				if err := arrivals.Wait(e.ctx); err != nil {
					b.Fatal(err)
				}
				o := e.place(spec)
				hinted[fmt.Sprint(o.ID)] = time.Now()
				if err := e.flow.HandleDelivery(e.ctx, orderCreated(o)); err != nil {
					b.Fatal(err)
				}
			}
			eventually(b, 5*time.Minute, "every order in the ERP", func() (bool, string) {
				n := len(e.site.Names("Sales Order"))
				return n == b.N, fmt.Sprintf("%d of %d", n, b.N)
			})
			elapsed := time.Since(start)
			b.StopTimer()
			eventually(b, time.Minute, "the engine to settle", e.settled)

			latencies := make([]time.Duration, 0, b.N)
			for id, sos := range e.salesOrders() {
				created, err := time.Parse(erpsim.Datetime, fmt.Sprint(sos[0]["creation"]))
				if err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, created.Sub(hinted[id]))
			}
			slices.Sort(latencies)
			erpCalls := float64(e.site.Kit().Accounting.Total()) / float64(b.N)
			wcCalls := float64(e.shop.Kit().Accounting.Total()) / float64(b.N)
			rate := float64(b.N) / elapsed.Seconds()
			bound := float64(tc.maxInFlight) / (erpCalls * tc.latency.Seconds())
			b.ReportMetric(rate, "orders/s")
			b.ReportMetric(bound, "bound-orders/s")
			b.ReportMetric(rate/bound, "ratio-to-bound")
			b.ReportMetric(float64(latencies[len(latencies)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Milliseconds()), "p99-ms")
			b.ReportMetric(erpCalls, "erp-calls/order")
			b.ReportMetric(wcCalls, "wc-calls/order")
			b.ReportMetric(0, "ns/op")
			if r, _ := e.engine.Report(e.ctx); r.DeadLettered != 0 {
				b.Errorf("%d orders dead-lettered", r.DeadLettered)
			}
		})
	}
}

// orderCreated is the order.created delivery WooCommerce would send for o.
func orderCreated(o woocommerce.Order) woocommerce.Delivery {
	return delivery("order.created", map[string]any{"id": o.ID, "status": o.Status,
		"date_modified_gmt": o.DateModifiedGMT.Format("2006-01-02T15:04:05")})
}
