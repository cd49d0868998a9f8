package sim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// TestConcurrentStorefrontAPIAndDeliveries runs checkouts, payments, stock writes, API reads and
// webhook deliveries at once; under -race it proves the store's state is guarded, and afterwards
// every order must still add up and every change must have been delivered once its queue drained.
func TestConcurrentStorefrontAPIAndDeliveries(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 10, VariableProducts: 2, VariationsEach: 3, Customers: 3})
	h := newHook(t)
	f.subscribe(h, "order.updated", "s")
	f.subscribe(h, "product.updated", "s")
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				o, err := f.s.PlaceOrder(f.s.RandomOrder())
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.s.PayOrder(o.ID); err != nil {
					t.Error(err)
				}
				if i%5 == w {
					f.s.DeliverPending(ctx)
				}
			}
		})
		wg.Go(func() {
			for i := range 25 {
				q := url.Values{"per_page": {"20"}, "page": {fmt.Sprint(1 + i%3)}}
				if a := f.call("GET", "/orders", q, nil); a.status != http.StatusOK {
					t.Errorf("list orders: %d", a.status)
				}
				id := f.s.skuOwner(fmt.Sprintf("TEE-%04d", 1+i%10), 0)
				if a := f.call("PUT", "/products/"+itoa(id), nil, map[string]int{"stock_quantity": 50 + i}); a.status != http.StatusOK {
					t.Errorf("stock write: %d", a.status)
				}
			}
		})
	}
	wg.Wait()
	f.s.DeliverPending(ctx)
	if p := f.s.Pending(); p != 0 {
		t.Errorf("%d deliveries still pending after draining", p)
	}
	orders := f.s.Orders()
	if len(orders) != 100 {
		t.Errorf("%d orders, want 100", len(orders))
	}
	delivered := map[int64]bool{}
	for _, r := range f.s.Deliveries() {
		if r.Topic == "order.updated" && r.Status == http.StatusOK {
			delivered[r.ResourceID] = true
		}
	}
	for _, o := range orders {
		checkConsistent(t, o)
		if !delivered[o.ID] {
			t.Errorf("order %d was paid but never delivered as order.updated", o.ID)
		}
	}
}
