package orders_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/flows/orders"
)

func TestVersionsOrderChangesWithinAndAcrossSeconds(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		older, newer int64
		why          string
	}{
		{orders.Version(t0, "checkout-draft"), orders.Version(t0, "processing"), "a draft paid within its second"},
		{orders.Version(t0, "pending"), orders.Version(t0, "processing"), "a payment within the creation second"},
		{orders.Version(t0, "processing"), orders.Version(t0, "cancelled"), "a cancellation within the payment second"},
		{orders.Version(t0, "trash"), orders.Version(t0.Add(time.Second), "checkout-draft"), "any later second"},
		{orders.Version(t0, "my-custom-status"), orders.Version(t0.Add(time.Second), "pending"), "a custom status within its second"},
		{orders.Version(t0.In(time.FixedZone("UTC-5", -5*3600)), "pending"), orders.Version(t0, "processing"), "time zones do not matter"},
	} {
		if tc.older >= tc.newer {
			t.Errorf("%s: version %d is not older than %d", tc.why, tc.older, tc.newer)
		}
	}
}

// delivery builds a verified delivery as the receiver hands it on.
func delivery(topic string, body map[string]any) woocommerce.Delivery {
	raw, _ := json.Marshal(body)
	h := http.Header{}
	h.Set(woocommerce.HeaderTopic, topic)
	d, err := woocommerce.ParseDelivery(h, raw)
	if err != nil {
		panic(err)
	}
	return d
}

func TestWebhooksAreHintsTheCurrentOrderWins(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	spec := paidOrder(tee(1))
	spec.Paid = false
	o := e.place(spec)
	// The webhook says pending, but by the time it is handled the order is paid: the handler reads it.
	clock.Advance(time.Second)
	paid, err := e.shop.PayOrder(o.ID)
	if err != nil {
		t.Fatal(err)
	}
	stale := delivery("order.created", map[string]any{"id": o.ID, "status": "pending",
		"date_modified_gmt": o.DateModifiedGMT.Format("2006-01-02T15:04:05")})
	if err := e.flow.HandleDelivery(e.ctx, stale); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the order in the ERP", func() (bool, string) {
		return len(e.salesOrderOf(o.ID)) == 1, "no Sales Order"
	})
	if so := e.salesOrderOf(o.ID)[0]; !num(so["grand_total"]).Equal(paid.Total.Decimal()) {
		t.Errorf("grand total %v, want %s", so["grand_total"], paid.Total)
	}

	// Other resources and actions are acknowledged and ignored.
	for _, d := range []woocommerce.Delivery{
		delivery("product.updated", map[string]any{"id": 11, "date_modified_gmt": "2026-12-01T09:00:00"}),
		delivery("action.woocommerce_checkout_order_processed", map[string]any{"arg": 1}),
	} {
		if err := e.flow.HandleDelivery(e.ctx, d); err != nil {
			t.Errorf("%s: %v", d.Topic, err)
		}
	}
	// A webhook for an order the store no longer has is a permanent NotFound, for a person.
	gone := delivery("order.updated", map[string]any{"id": 999999, "status": "processing", "date_modified_gmt": "2026-12-01T09:00:00"})
	if err := e.flow.HandleDelivery(e.ctx, gone); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the unknown order dead-lettered", func() (bool, string) {
		dead := e.deadLetters()
		return len(dead) == 1 && dead[0].Resource == orders.Resource(999999) && dead[0].Reason == failure.ReasonNotFound,
			fmt.Sprintf("%+v", dead)
	})
	if n := len(e.site.Names("Sales Order")); n != 1 {
		t.Errorf("%d Sales Orders, want 1", n)
	}
}

func TestPollRereadsTheCursorSecondAndResyncsIdempotently(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	first := e.place(paidOrder(tee(1)))
	e.pollAndSettle()
	cursor, err := e.store.CursorValue(e.ctx, orders.CursorName)
	if err != nil || cursor != "2026-12-01T09:00:00Z" {
		t.Fatalf("cursor %q, %v", cursor, err)
	}
	// Placed in the second the cursor stopped at: only a poll that re-reads that second sees it.
	second := e.place(paidOrder(tee(2)))
	e.pollAndSettle()
	for _, o := range []woocommerce.Order{first, second} {
		if n := len(e.salesOrderOf(o.ID)); n != 1 {
			t.Errorf("order %d has %d Sales Orders, want 1", o.ID, n)
		}
	}

	if err := e.flow.Resync(e.ctx); err != nil {
		t.Fatal(err)
	}
	if cursor, _ := e.store.CursorValue(e.ctx, orders.CursorName); cursor != "" {
		t.Fatalf("cursor after resync %q", cursor)
	}
	e.pollAndSettle()
	if n := len(e.site.Names("Sales Order")); n != 2 || len(e.deadLetters()) != 0 {
		t.Errorf("after resync: %d Sales Orders, dead letters %v", n, e.deadLetters())
	}
}

// crowdASecond places more paid orders in the clock's second than a page holds (keyset paging
// alone would never leave that second), then one in the next second, which it returns.
func (e *env) crowdASecond(clock *wcsim.ManualClock) (n int, last woocommerce.Order) {
	e.t.Helper()
	n = woocommerce.MaxPerPage + 30
	for range n {
		spec := paidOrder(tee(1))
		spec.Coupon = ""
		e.place(spec)
	}
	clock.Advance(time.Second)
	return n, e.place(paidOrder(tee(3)))
}

func TestPollPagesPastAFullSecond(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	n, last := e.crowdASecond(clock)
	e.pollAndSettle()
	if got := len(e.site.Names("Sales Order")); got != n+1 {
		t.Fatalf("%d Sales Orders, want %d", got, n+1)
	}
	if cursor, _ := e.store.CursorValue(e.ctx, orders.CursorName); cursor != last.DateModifiedGMT.UTC().Format(time.RFC3339) {
		t.Errorf("cursor %q, want the last order's %s", cursor, last.DateModifiedGMT)
	}
}

// An order completed while the poll steps by offset through a crowded second leaves that second and
// shifts the unread orders back by one: the next page would start one past an order never read. The
// poll reads the second again before its cursor leaves it.
func TestPollMissesNoOrderWhenOneMovesWhileSteppingThroughASecond(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	var shop atomic.Pointer[wcsim.Sim]
	var moved atomic.Int64
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now, shopMiddleware: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Before the second page of the crowded second is served, the store completes an order the
			// first page held.
			if strings.HasSuffix(r.URL.Path, "/orders") && r.URL.Query().Get("offset") == strconv.Itoa(woocommerce.MaxPerPage) &&
				moved.Load() == 0 {
				first := shop.Load().Orders()[0]
				if _, err := shop.Load().CompleteOrder(first.ID); err != nil {
					t.Error(err)
				}
				moved.Store(first.ID)
			}
			next.ServeHTTP(w, r)
		})
	}})
	shop.Store(e.shop)
	e.crowdASecond(clock)
	e.pollAndSettle()
	if moved.Load() == 0 {
		t.Fatal("the poll never stepped to the second page of the crowded second")
	}
	for _, o := range e.shop.Orders() {
		if len(e.salesOrderOf(o.ID)) == 0 {
			t.Errorf("order %d (%s, modified %s) never reached the ERP", o.ID, o.Status, o.DateModifiedGMT)
		}
	}
}

func TestTrashedOrderCancelsItsSalesOrder(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	o := e.place(paidOrder(tee(1)))
	e.pollAndSettle()
	clock.Advance(time.Minute)
	if _, err := e.wc.DeleteOrder(e.ctx, o.ID, false); err != nil {
		t.Fatal(err)
	}
	// The poll does not list trashed orders: only the deletion webhook tells.
	if err := e.flow.HandleDelivery(e.ctx, delivery("order.deleted", map[string]any{"id": o.ID})); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the Sales Order cancelled", func() (bool, string) {
		chain := e.salesOrderOf(o.ID)
		return len(chain) == 1 && num(chain[0]["docstatus"]).IntPart() == erpnext.Cancelled, fmt.Sprintf("%v", chain)
	})
	if len(e.deadLetters()) != 0 {
		t.Errorf("dead letters %+v", e.deadLetters())
	}
}
