package woocommerce_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"

	wc "github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/simkit"
	"github.com/retailsync/retailsync/internal/throttle"
)

const (
	testKey    = "ck_0123456789abcdef"
	testSecret = "cs_fedcba9876543210"
)

type store struct {
	sim    *sim.Sim
	srv    *httptest.Server
	client *wc.Client
	clock  *sim.ManualClock
}

// newStore starts a simulated store over plain HTTP (so the client signs with OAuth 1.0a) and a
// client for it. edit adjusts the client's config.
func newStore(t *testing.T, catalog sim.Catalog, edit func(*wc.Config)) *store {
	t.Helper()
	clk := sim.NewManualClock(time.Now().UTC().Truncate(time.Second))
	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret, Seed: 7, Now: clk.Now})
	if err := s.Seed(catalog); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.SetSiteURL(srv.URL)
	cfg := wc.Config{BaseURL: srv.URL, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret},
		Timeout: 5 * time.Second, Logger: logr.Discard(), Now: clk.Now}
	if edit != nil {
		edit(&cfg)
	}
	c, err := wc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &store{sim: s, srv: srv, client: c, clock: clk}
}

func requests(s *sim.Sim, route string) int64 { return s.Kit().Accounting.Snapshot()[route] }

func asFailure(t *testing.T, err error) *failure.Error {
	t.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *failure.Error", err, err)
	}
	return fe
}

func TestClientAuthenticatesWithOAuthOverHTTPAndBasicOverHTTPS(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 3}, nil)
	got, err := wc.Collect(st.client.Products(context.Background(), wc.ListOptions{}))
	if err != nil || len(got) != 3 {
		t.Fatalf("OAuth over http: %d products, %v", len(got), err)
	}

	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret})
	if err := s.Seed(sim.Catalog{SimpleProducts: 2}); err != nil {
		t.Fatal(err)
	}
	tls := httptest.NewTLSServer(s.Handler())
	defer tls.Close()
	c, err := wc.New(wc.Config{BaseURL: tls.URL, HTTPClient: tls.Client(),
		Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	got, err = wc.Collect(c.Products(context.Background(), wc.ListOptions{}))
	if err != nil || len(got) != 2 {
		t.Fatalf("Basic over https: %d products, %v", len(got), err)
	}
	c, err = wc.New(wc.Config{BaseURL: tls.URL, HTTPClient: tls.Client(), Auth: wc.AuthQuery,
		Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = wc.Collect(c.Products(context.Background(), wc.ListOptions{})); err != nil || len(got) != 2 {
		t.Fatalf("query credentials over https: %d products, %v", len(got), err)
	}
	if _, err := wc.New(wc.Config{BaseURL: "http://shop.example", Auth: wc.AuthQuery, Credentials: wc.StaticCredentials{}}); err == nil {
		t.Error("query-string credentials were allowed over plain http")
	}
}

func TestClientFollowsTotalPages(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 250}, nil)
	seen := map[int64]bool{}
	for p, err := range st.client.Products(context.Background(), wc.ListOptions{OrderBy: "id", Order: "asc"}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[p.ID] = true
	}
	if len(seen) != 250 {
		t.Errorf("walked %d distinct products, want 250", len(seen))
	}
	if n := requests(st.sim, "GET /wp-json/wc/v3/products"); n != 3 {
		t.Errorf("%d page requests, want 3 (100+100+50)", n)
	}
}

func TestClientPollsModifiedAfterInGMT(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 2}, nil)
	ctx := context.Background()
	var ids []int64
	for range 3 {
		o, err := st.sim.PlaceOrder(st.sim.RandomOrder())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	st.clock.Advance(time.Hour)
	cursor := st.clock.Now().Add(-time.Minute)
	if _, err := st.sim.PayOrder(ids[1]); err != nil {
		t.Fatal(err)
	}
	// The store's site time zone is UTC-5: a cursor read as local time would return nothing or all.
	got, err := wc.Collect(st.client.Orders(ctx, wc.ListOptions{ModifiedAfter: cursor}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids[1] {
		t.Fatalf("modified_after returned %d orders (%v), want only %d", len(got), got, ids[1])
	}
	if !got[0].DateModifiedGMT.After(cursor) {
		t.Errorf("date_modified_gmt %v is not after the cursor %v", got[0].DateModifiedGMT, cursor)
	}
}

func TestClientProductLifecycleAndDuplicateSKU(t *testing.T) {
	st := newStore(t, sim.Catalog{}, nil)
	ctx := context.Background()
	qty := 7
	p, err := st.client.CreateProduct(ctx, wc.Product{Name: "Mug", SKU: "MUG-1", RegularPrice: wc.MustMoney("12.50"),
		SalePrice: wc.BlankMoney(), ManageStock: wc.ManageStock{Managed: true}, StockQuantity: &qty})
	if err != nil {
		t.Fatal(err)
	}
	if p.Price.String() != "12.50" || p.StockStatus != wc.StockInStock || p.DateCreatedGMT.IsZero() {
		t.Errorf("created %+v", p)
	}
	sale, zero := wc.MustMoney("9.99"), 0
	p, err = st.client.UpdateProduct(ctx, p.ID, wc.ProductUpdate{SalePrice: &sale, StockQuantity: &zero})
	if err != nil || p.Price.String() != "9.99" || p.RegularPrice.String() != "12.50" || p.StockStatus != wc.StockOutOfStock {
		t.Fatalf("updated %+v, %v", p, err)
	}
	_, err = st.client.CreateProduct(ctx, wc.Product{Name: "Mug again", SKU: "MUG-1"})
	if fe := asFailure(t, err); fe.Kind != failure.Permanent || fe.Code != "product_invalid_sku" || fe.Status != 400 {
		t.Errorf("duplicate SKU error %+v", fe)
	}
	if id, ok := wc.ExistingResourceID(err); !ok || id != p.ID {
		t.Errorf("duplicate SKU names resource %d (%v), want %d", id, ok, p.ID)
	}
	found, err := wc.Collect(st.client.Products(ctx, wc.ListOptions{SKU: []string{"MUG-1"}}))
	if err != nil || len(found) != 1 || found[0].ID != p.ID {
		t.Errorf("lookup by SKU: %v, %v", found, err)
	}
	if _, err := st.client.DeleteProduct(ctx, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, err := st.client.Product(ctx, p.ID); err != nil || got.Status != wc.StatusTrash {
		t.Errorf("trashed product %+v, %v", got, err)
	}
	if _, err := st.client.DeleteProduct(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = st.client.Product(ctx, p.ID)
	if fe := asFailure(t, err); fe.Reason != failure.ReasonNotFound || fe.Code != "woocommerce_rest_product_invalid_id" || fe.Kind != failure.Permanent {
		t.Errorf("missing product error %+v", fe)
	}
	_, err = st.client.UpdateProduct(ctx, p.ID, wc.ProductUpdate{SalePrice: &sale})
	if fe := asFailure(t, err); fe.Status != 400 || fe.Code != "woocommerce_rest_product_invalid_id" {
		t.Errorf("update of a missing product: %+v (WooCommerce answers 400, not 404)", fe)
	}
}

func TestClientVariations(t *testing.T) {
	st := newStore(t, sim.Catalog{VariableProducts: 1, VariationsEach: 3}, nil)
	ctx := context.Background()
	parents, err := wc.Collect(st.client.Products(ctx, wc.ListOptions{Extra: map[string][]string{"type": {"variable"}}}))
	if err != nil || len(parents) != 1 || len(parents[0].Variations) != 3 {
		t.Fatalf("variable products %+v, %v", parents, err)
	}
	parent := parents[0]
	vars, err := wc.Collect(st.client.Variations(ctx, parent.ID, wc.ListOptions{}))
	if err != nil || len(vars) != 3 {
		t.Fatalf("variations %d, %v", len(vars), err)
	}
	v, err := st.client.CreateVariation(ctx, parent.ID, wc.Variation{SKU: "HOODIE-001-XS", RegularPrice: wc.MustMoney("40.00"),
		SalePrice: wc.BlankMoney(), Attributes: []wc.Attribute{{Name: "Size", Option: "XS"}}})
	if err != nil || v.ParentID != parent.ID {
		t.Fatalf("create variation %+v, %v", v, err)
	}
	price := wc.MustMoney("35.00")
	if v, err = st.client.UpdateVariation(ctx, parent.ID, v.ID, wc.ProductUpdate{RegularPrice: &price}); err != nil || v.Price.String() != "35.00" {
		t.Errorf("update variation %+v, %v", v, err)
	}
	if got, err := st.client.Variation(ctx, parent.ID, v.ID); err != nil || got.SKU != "HOODIE-001-XS" {
		t.Errorf("get variation %+v, %v", got, err)
	}
	res, err := st.client.BatchVariations(ctx, parent.ID, wc.Batch[wc.Variation, wc.ProductUpdate]{
		Update: []wc.ProductUpdate{{ID: vars[0].ID, RegularPrice: &price}, {ID: 999999, RegularPrice: &price}},
	})
	if err != nil || res.Update[0].Err != nil || res.Update[1].Err == nil {
		t.Errorf("batch variations %+v, %v", res, err)
	}
	if _, err := st.client.DeleteVariation(ctx, parent.ID, v.ID); err != nil {
		t.Fatal(err)
	}
}

func TestClientBatchSplitsAt100AndSurfacesItemErrors(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 2}, nil)
	ctx := context.Background()
	var b wc.Batch[wc.Product, wc.ProductUpdate]
	for i := range 248 {
		b.Create = append(b.Create, wc.Product{Name: "P", SKU: "BULK-" + string(rune('A'+i/26)) + string(rune('a'+i%26)), RegularPrice: wc.MustMoney("1.00"), SalePrice: wc.BlankMoney()})
	}
	b.Create = append(b.Create, wc.Product{Name: "dup", SKU: "TEE-0001"}, wc.Product{Name: "dup", SKU: "TEE-0002"})
	res, err := st.client.BatchProducts(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if n := requests(st.sim, "POST /wp-json/wc/v3/products/batch"); n != 3 {
		t.Errorf("%d batch requests for 250 items, want 3", n)
	}
	if len(res.Create) != 250 {
		t.Fatalf("%d outcomes, want 250", len(res.Create))
	}
	failed := res.Failed()
	if len(failed) != 2 || failed[0].Index != 248 || failed[1].Index != 249 {
		t.Fatalf("failed items %+v", failed)
	}
	for _, f := range failed {
		if wc.Code(f.Err) != "product_invalid_sku" || !failure.IsPermanent(f.Err) {
			t.Errorf("item %d error %v", f.Index, f.Err)
		}
		if _, ok := wc.ExistingResourceID(f.Err); !ok {
			t.Errorf("item %d error does not name the existing product", f.Index)
		}
	}
	for i, it := range res.Create[:248] {
		if it.Err != nil || it.Resource.ID == 0 || it.Index != i {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
}

func TestClientBatchMarksEveryUnsentItemWhenARequestFails(t *testing.T) {
	st := newStore(t, sim.Catalog{}, nil)
	st.sim.Kit().Injector.SetOutage(true)
	var b wc.Batch[wc.Product, wc.ProductUpdate]
	for range 150 {
		b.Create = append(b.Create, wc.Product{Name: "P"})
	}
	b.Delete = []int64{1, 2}
	res, err := st.client.BatchProducts(context.Background(), b)
	if fe := asFailure(t, err); fe.Kind != failure.Transient || fe.Status != 503 {
		t.Fatalf("outage error %+v", fe)
	}
	if len(res.Create) != 150 || len(res.Delete) != 2 || len(res.Failed()) != 152 {
		t.Errorf("outcomes create=%d delete=%d failed=%d, want every item failed", len(res.Create), len(res.Delete), len(res.Failed()))
	}
}

func TestClientOrdersRefundsAndNotes(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 3, Customers: 1}, nil)
	ctx := context.Background()
	spec := st.sim.RandomOrder()
	spec.Paid, spec.PaymentMethod, spec.Status = true, "stripe", ""
	placed, err := st.sim.PlaceOrder(spec)
	if err != nil {
		t.Fatal(err)
	}
	o, err := st.client.Order(ctx, placed.ID)
	if err != nil || o.Total.String() != placed.Total.String() || o.Status != wc.StatusProcessing {
		t.Fatalf("order %+v, %v", o, err)
	}
	no := false
	half := wc.NewMoney(o.Total.Decimal().Div(decimalTwo).Round(2))
	rf, err := st.client.CreateRefund(ctx, o.ID, wc.RefundRequest{Amount: half, Reason: "damaged", APIRefund: &no})
	if err != nil || rf.Amount.String() != half.String() || rf.RefundedPayment {
		t.Fatalf("refund %+v, %v", rf, err)
	}
	_, err = st.client.CreateRefund(ctx, o.ID, wc.RefundRequest{Amount: o.Total, APIRefund: &no})
	if fe := asFailure(t, err); fe.Status != 500 || fe.Kind != failure.Permanent || fe.Code != "woocommerce_rest_cannot_create_order_refund" {
		t.Errorf("over-refund error %+v: a 500 that no retry can fix must be permanent", fe)
	}
	refunds, err := wc.Collect(st.client.Refunds(ctx, o.ID, wc.ListOptions{}))
	if err != nil || len(refunds) != 1 || refunds[0].ID != rf.ID {
		t.Errorf("refunds %+v, %v", refunds, err)
	}
	if got, err := st.client.Refund(ctx, o.ID, rf.ID); err != nil || got.Reason != "damaged" {
		t.Errorf("refund %+v, %v", got, err)
	}
	o, _ = st.client.Order(ctx, o.ID)
	if len(o.Refunds) != 1 || !o.Refunds[0].Total.Decimal().Equal(half.Decimal().Neg()) {
		t.Errorf("order refunds %+v, want one of -%s", o.Refunds, half)
	}
	if _, err := st.client.AddOrderNote(ctx, o.ID, "Shipped with UPS 1Z999", true); err != nil {
		t.Fatal(err)
	}
	notes, err := st.client.OrderNotes(ctx, o.ID)
	if err != nil || len(notes) != 1 || !notes[0].CustomerNote {
		t.Errorf("notes %+v, %v", notes, err)
	}
	completed := wc.StatusCompleted
	o, err = st.client.UpdateOrder(ctx, o.ID, wc.OrderUpdate{Status: &completed})
	if err != nil || o.Status != completed || o.DateCompletedGMT.IsZero() {
		t.Errorf("complete %+v, %v", o, err)
	}
	res, err := st.client.BatchOrders(ctx, wc.Batch[wc.Order, wc.OrderUpdate]{Update: []wc.OrderUpdate{{ID: o.ID, Status: &completed}, {ID: 1, Status: &completed}}})
	if err != nil || res.Update[0].Err != nil || wc.Code(res.Update[1].Err) != "woocommerce_rest_shop_order_invalid_id" {
		t.Errorf("batch orders %+v, %v", res, err)
	}
	created, err := st.client.CreateOrder(ctx, wc.Order{Billing: wc.Address{Country: "US", State: "CA"},
		LineItems: []wc.LineItem{{ProductID: spec.Lines[0].ProductID, Quantity: 2}}, SetPaid: true})
	if err != nil || created.Status != wc.StatusProcessing || len(created.TaxLines) != 2 {
		t.Errorf("create order %+v, %v", created, err)
	}
	if _, err := st.client.DeleteOrder(ctx, created.ID, true); err != nil {
		t.Error(err)
	}
}

func TestClientCustomers(t *testing.T) {
	st := newStore(t, sim.Catalog{}, nil)
	ctx := context.Background()
	c, err := st.client.CreateCustomer(ctx, wc.Customer{Email: "ana@example.com", FirstName: "Ana"})
	if err != nil || c.ID == 0 || c.Role != "customer" {
		t.Fatalf("create %+v, %v", c, err)
	}
	_, err = st.client.CreateCustomer(ctx, wc.Customer{Email: "ana@example.com"})
	if fe := asFailure(t, err); fe.Code != "registration-error-email-exists" || fe.Kind != failure.Permanent {
		t.Errorf("duplicate email %+v", fe)
	}
	name := "Ana María"
	if c, err = st.client.UpdateCustomer(ctx, c.ID, wc.CustomerUpdate{FirstName: &name}); err != nil || c.FirstName != name {
		t.Errorf("update %+v, %v", c, err)
	}
	if got, err := st.client.Customer(ctx, c.ID); err != nil || got.Email != "ana@example.com" {
		t.Errorf("get %+v, %v", got, err)
	}
	res, err := st.client.BatchCustomers(ctx, wc.Batch[wc.Customer, wc.CustomerUpdate]{Create: []wc.Customer{{Email: "ben@example.com"}, {Email: "not-an-email"}}})
	if err != nil || res.Create[0].Err != nil || res.Create[1].Err == nil {
		t.Errorf("batch %+v, %v", res, err)
	}
	all, err := wc.Collect(st.client.Customers(ctx, wc.ListOptions{}))
	if err != nil || len(all) != 2 {
		t.Errorf("list %d, %v", len(all), err)
	}
	if _, err := st.client.DeleteCustomer(ctx, c.ID); err != nil {
		t.Error(err)
	}
}

func TestClientManagesWebhooksAndReactivatesDisabledOnes(t *testing.T) {
	st := newStore(t, sim.Catalog{SimpleProducts: 1}, nil)
	ctx := context.Background()
	var pings, fail atomic.Int32
	fail.Store(1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(wc.HeaderTopic) == "" {
			pings.Add(1)
			return
		}
		if fail.Load() == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer receiver.Close()
	h, err := st.client.CreateWebhook(ctx, wc.Webhook{Name: "orders", Topic: "order.created", DeliveryURL: receiver.URL, Secret: "s1"})
	if err != nil || h.Status != wc.WebhookActive || h.APIVersion != "wp_api_v3" {
		t.Fatalf("create %+v, %v", h, err)
	}
	if pings.Load() != 1 {
		t.Errorf("%d pings on creation, want 1", pings.Load())
	}
	list, err := wc.Collect(st.client.Webhooks(ctx, wc.ListOptions{}))
	if err != nil || len(list) != 1 {
		t.Fatalf("list %+v, %v", list, err)
	}
	secret := "s2"
	if h, err = st.client.UpdateWebhook(ctx, h.ID, wc.WebhookUpdate{Secret: &secret}); err != nil || h.Secret != "s2" {
		t.Errorf("rotate secret %+v, %v", h, err)
	}
	if _, changed, err := st.client.ReactivateWebhook(ctx, h.ID); err != nil || changed {
		t.Errorf("reactivating an active webhook changed it (%v, %v)", changed, err)
	}
	for range 7 {
		if _, err := st.sim.PlaceOrder(st.sim.RandomOrder()); err != nil {
			t.Fatal(err)
		}
		st.sim.DeliverPending(ctx)
	}
	if h, _ = st.client.Webhook(ctx, h.ID); h.Status != wc.WebhookDisabled {
		t.Fatalf("status after 7 failed deliveries %q, want disabled", h.Status)
	}
	fail.Store(0)
	h, changed, err := st.client.ReactivateWebhook(ctx, h.ID)
	if err != nil || !changed || h.Status != wc.WebhookActive {
		t.Errorf("reactivate %+v, %v, %v", h, changed, err)
	}
	if _, err := st.client.DeleteWebhook(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.client.Webhook(ctx, h.ID); wc.Code(err) != "woocommerce_rest_shop_webhook_invalid_id" {
		t.Errorf("deleted webhook still readable: %v", err)
	}
}

func TestClientSystemStatus(t *testing.T) {
	st := newStore(t, sim.Catalog{}, nil)
	ss, err := st.client.SystemStatus(context.Background())
	if err != nil || ss.Environment.Version == "" || ss.Settings.Currency != "USD" {
		t.Errorf("system status %+v, %v", ss, err)
	}
}

func TestClientClassifiesFailuresForTheWorker(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		faults simkit.Faults
		kind   failure.Kind
		reason failure.Reason
		status int
		retry  time.Duration
	}{
		{"429 with Retry-After", simkit.Faults{RateLimitRate: 1, RetryAfter: 3 * time.Second}, failure.Transient, failure.ReasonRateLimited, 429, 3 * time.Second},
		{"503", simkit.Faults{UnavailableRate: 1}, failure.Transient, failure.ReasonUnavailable, 503, 0},
		{"outage 503 with Retry-After", simkit.Faults{Outage: true, RetryAfter: time.Minute}, failure.Transient, failure.ReasonUnavailable, 503, time.Minute},
		{"500", simkit.Faults{ErrorRate: 1}, failure.Transient, failure.ReasonUnavailable, 500, 0},
		{"connection reset", simkit.Faults{ResetRate: 1}, failure.Transient, failure.ReasonConnection, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t, sim.Catalog{}, nil)
			st.sim.Kit().Injector.Set(tc.faults)
			_, err := st.client.SystemStatus(ctx)
			fe := asFailure(t, err)
			if fe.Kind != tc.kind || fe.Reason != tc.reason || fe.Status != tc.status || fe.RetryAfter != tc.retry || fe.System != wc.System {
				t.Errorf("got %+v", fe)
			}
			assertNoCredentials(t, err)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		st := newStore(t, sim.Catalog{}, func(c *wc.Config) { c.Timeout = 50 * time.Millisecond })
		st.sim.Kit().Injector.Set(simkit.Faults{Latency: 5 * time.Second})
		_, err := st.client.SystemStatus(ctx)
		if fe := asFailure(t, err); fe.Kind != failure.Transient || fe.Reason != failure.ReasonTimeout {
			t.Errorf("got %+v", fe)
		}
		assertNoCredentials(t, err)
	})
	t.Run("cancelled", func(t *testing.T) {
		st := newStore(t, sim.Catalog{}, nil)
		st.sim.Kit().Injector.Set(simkit.Faults{Latency: 5 * time.Second})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := st.client.SystemStatus(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		st := newStore(t, sim.Catalog{}, func(c *wc.Config) {
			c.Credentials = wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: "cs_wrong"}
		})
		_, err := st.client.SystemStatus(ctx)
		if fe := asFailure(t, err); fe.Kind != failure.Permanent || fe.Reason != failure.ReasonUnauthorized || fe.Code != "woocommerce_rest_authentication_error" {
			t.Errorf("got %+v", fe)
		}
		assertNoCredentials(t, err)
	})
}

func assertNoCredentials(t *testing.T, err error) {
	t.Helper()
	for _, secret := range []string{testKey, testSecret, "oauth_signature", "consumer_key"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
}

// rotating is a CredentialsSource whose key can be swapped while the client runs.
type rotating struct {
	mu sync.Mutex
	c  wc.Credentials
}

func (r *rotating) Credentials(context.Context) (wc.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c, nil
}

func TestClientPicksUpRotatedCredentialsWithoutRestart(t *testing.T) {
	src := &rotating{c: wc.Credentials{ConsumerKey: testKey, ConsumerSecret: "cs_old"}}
	st := newStore(t, sim.Catalog{}, func(c *wc.Config) { c.Credentials = src })
	if _, err := st.client.SystemStatus(context.Background()); !failure.IsPermanent(err) {
		t.Fatalf("old secret: %v", err)
	}
	src.mu.Lock()
	src.c.ConsumerSecret = testSecret
	src.mu.Unlock()
	if _, err := st.client.SystemStatus(context.Background()); err != nil {
		t.Fatalf("rotated secret: %v", err)
	}
}

func TestClientCapsRequestsInFlight(t *testing.T) {
	var inFlight, peak atomic.Int32
	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret, Faults: simkit.Faults{Latency: 30 * time.Millisecond}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		s.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := wc.New(wc.Config{BaseURL: srv.URL, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret},
		Limits: throttle.Limits{MaxInFlight: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.SystemStatus(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak in flight %d, want at most 2", p)
	}
}

func TestClientKeepsPagingWhenAProxyStripsTheHeaders(t *testing.T) {
	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret})
	if err := s.Seed(sim.Catalog{SimpleProducts: 120}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if !strings.HasPrefix(k, "X-Wp-") {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	c, err := wc.New(wc.Config{BaseURL: srv.URL, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := wc.Collect(c.Products(context.Background(), wc.ListOptions{}))
	if err != nil || len(got) != 120 {
		t.Errorf("walked %d products without paging headers, want 120 (%v)", len(got), err)
	}
}

// BenchmarkClientPollOrders walks 500 orders in pages of 100 against the simulator and reports the
// API calls and wall time per walk.
func BenchmarkClientPollOrders(b *testing.B) {
	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret, Seed: 3})
	if err := s.Seed(sim.Catalog{SimpleProducts: 20, Customers: 5}); err != nil {
		b.Fatal(err)
	}
	for range 500 {
		if _, err := s.PlaceOrder(s.RandomOrder()); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c, err := wc.New(wc.Config{BaseURL: srv.URL, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		b.Fatal(err)
	}
	s.Kit().Accounting.Reset()
	b.ResetTimer()
	for b.Loop() {
		orders, err := wc.Collect(c.Orders(context.Background(), wc.ListOptions{OrderBy: "modified", Order: "asc"}))
		if err != nil || len(orders) != 500 {
			b.Fatalf("%d orders, %v", len(orders), err)
		}
	}
	b.ReportMetric(float64(s.Kit().Accounting.Total())/float64(b.N), "requests/op")
}

func TestClientCreatesSendNoNullsOrBlankAmounts(t *testing.T) {
	s := sim.New(sim.Config{ConsumerKey: testKey, ConsumerSecret: testSecret})
	if err := s.Seed(sim.Catalog{SimpleProducts: 1}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		s.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := wc.New(wc.Config{BaseURL: srv.URL, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := c.CreateProduct(ctx, wc.Product{Name: "Scarf", SKU: "SCARF-1", RegularPrice: wc.MustMoney("18.00")})
	if err != nil {
		t.Fatal(err)
	}
	if !p.SalePrice.IsBlank() || p.Price.String() != "18.00" {
		t.Errorf("a product created without a sale price is on sale: %+v", p)
	}
	o, err := c.CreateOrder(ctx, wc.Order{Billing: wc.Address{Country: "US", State: "NY", Email: "a@example.com"},
		LineItems: []wc.LineItem{{ProductID: p.ID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.LineItems[0].Total.String() != "18.00" {
		t.Errorf("line total %s, want 18.00", o.LineItems[0].Total)
	}
	if _, err := c.BatchProducts(ctx, wc.Batch[wc.Product, wc.ProductUpdate]{Create: []wc.Product{{Name: "Glove"}}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		if strings.Contains(b, "null") || strings.Contains(b, `""`) {
			t.Errorf("create body carries unset fields: %s", b)
		}
	}
	if len(bodies) != 3 {
		t.Errorf("%d bodies recorded, want 3", len(bodies))
	}
}

func TestNewValidatesTheConfig(t *testing.T) {
	creds := wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}
	for name, cfg := range map[string]wc.Config{
		"relative URL":   {BaseURL: "shop.example", Credentials: creds},
		"ftp URL":        {BaseURL: "ftp://shop.example", Credentials: creds},
		"no credentials": {BaseURL: "https://shop.example"},
		"unknown auth":   {BaseURL: "https://shop.example", Credentials: creds, Auth: "Digest"},
	} {
		if _, err := wc.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: error leaks the secret", name)
		}
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the client followed a redirect")
	}))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	c, err := wc.New(wc.Config{BaseURL: srv.URL, HTTPClient: &http.Client{}, Credentials: wc.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOrder(context.Background(), wc.Order{CustomerNote: "x"})
	fe := asFailure(t, err)
	if fe.Kind != failure.Permanent || fe.Status != http.StatusMovedPermanently || !strings.Contains(fe.Message, target.URL) {
		t.Errorf("redirect error %+v", fe)
	}
	assertNoCredentials(t, err)
}
