package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func TestPingOnCreationIsUnsignedForm(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	h := newHook(t)
	w := f.subscribe(h, "order.created", "s3cret")
	got := h.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d requests on creation, want 1 ping", len(got))
	}
	ping := got[0]
	if string(ping.body) != "webhook_id="+itoa(w.ID) || ping.header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("ping %q %v", ping.body, ping.header)
	}
	for k := range ping.header {
		if strings.HasPrefix(strings.ToLower(k), "x-wc-") {
			t.Errorf("ping carries %s", k)
		}
	}
	if !woocommerce.IsPing(ping.header, ping.body) {
		t.Error("the receiver would not recognise this ping")
	}
	// A paused webhook is not pinged.
	a := f.call("POST", "/webhooks", nil, woocommerce.Webhook{Topic: "order.updated", DeliveryURL: h.srv.URL, Status: "paused"})
	if a.status != http.StatusCreated || len(h.deliveries()) != 1 {
		t.Errorf("paused webhook: %d, %d requests", a.status, len(h.deliveries()))
	}
}

func TestDeliveryIsSignedPHPEscapedAndAcceptedByTheReceiver(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	w := f.subscribe(h, "order.created", "s3cret")
	spec := OrderSpec{Billing: shoppers[2].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}, CustomerNote: "Leave at door 3/B 😀"}
	o, err := f.s.PlaceOrder(spec)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.s.DeliverPending(context.Background()); n != 1 {
		t.Fatalf("delivered %d, want 1", n)
	}
	got := h.topics()
	if len(got) != 1 {
		t.Fatalf("%d deliveries", len(got))
	}
	c := got[0]
	for _, want := range []string{`\/`, `J\u00fcrgen`, `\ud83d\ude00`} {
		if !bytes.Contains(c.body, []byte(want)) {
			t.Errorf("body lacks PHP escape %s: %s", want, c.body)
		}
	}
	hdr := c.header
	if hdr.Get(woocommerce.HeaderTopic) != "order.created" || hdr.Get(woocommerce.HeaderResource) != "order" ||
		hdr.Get(woocommerce.HeaderEvent) != "created" || hdr.Get(woocommerce.HeaderWebhookID) != itoa(w.ID) ||
		hdr.Get(woocommerce.HeaderSource) != f.srv.URL+"/" || !strings.HasPrefix(hdr.Get("User-Agent"), "WooCommerce/") ||
		len(hdr.Get(woocommerce.HeaderDeliveryID)) != 32 {
		t.Errorf("headers %v", hdr)
	}
	if _, ok := woocommerce.VerifySignature(c.body, hdr.Get(woocommerce.HeaderSignature), woocommerce.WebhookSecrets{Current: []byte("s3cret")}); !ok {
		t.Fatal("signature does not verify over the raw body")
	}
	// The same bytes go through the real receiver.
	var keys []woocommerce.DeliveryKey
	rc := woocommerce.NewReceiver(
		woocommerce.SecretSourceFunc(func(context.Context) (woocommerce.WebhookSecrets, error) {
			return woocommerce.WebhookSecrets{Current: []byte("s3cret")}, nil
		}),
		woocommerce.DeliveryHandlerFunc(func(_ context.Context, d woocommerce.Delivery) error {
			keys = append(keys, d.Key)
			return nil
		}), 0, logr.Discard())
	req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(c.body))
	req.Header = hdr
	rw := &statusWriter{header: http.Header{}}
	rc.ServeHTTP(rw, req)
	if rw.status != http.StatusOK || len(keys) != 1 || keys[0].ID != o.ID {
		t.Errorf("receiver answered %d with keys %v", rw.status, keys)
	}
	var decoded woocommerce.Order
	if err := json.Unmarshal(c.body, &decoded); err != nil || decoded.CustomerNote != spec.CustomerNote || decoded.Total.String() != o.Total.String() {
		t.Errorf("payload decodes to %+v, %v", decoded, err)
	}
}

type statusWriter struct {
	header http.Header
	status int
}

func (s *statusWriter) Header() http.Header         { return s.header }
func (s *statusWriter) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusWriter) WriteHeader(code int)        { s.status = code }

func TestPayloadIsBuiltAtSendTimeAndEventsCoalesce(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	f.subscribe(h, "order.updated", "s")
	o, _ := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}, PaymentMethod: "stripe"})
	if _, err := f.s.PayOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.s.CompleteOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	if p := f.s.Pending(); p != 1 {
		t.Fatalf("%d pending after two updates of one order, want 1 (coalesced)", p)
	}
	f.s.DeliverPending(context.Background())
	got := h.topics()
	var payload woocommerce.Order
	if err := json.Unmarshal(got[0].body, &payload); err != nil {
		t.Fatal(err)
	}
	// Queued by the payment, sent after completion: the payload shows the state at send time.
	if len(got) != 1 || payload.Status != woocommerce.StatusCompleted {
		t.Errorf("%d deliveries, status %q; want 1 showing completed", len(got), payload.Status)
	}
	// Once sent, a new event queues a new delivery.
	if _, err := f.s.PayOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	if f.s.DeliverPending(context.Background()); len(h.topics()) != 2 {
		t.Errorf("%d deliveries after a later update, want 2", len(h.topics()))
	}
}

func TestDuplicatesReorderAndDrops(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	f.subscribe(h, "order.created", "s")
	place := func() int64 {
		o, err := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	ids := []int64{place(), place(), place()}
	f.s.SetDelivery(DeliveryOptions{DuplicateRate: 1, Reorder: true})
	f.s.DeliverPending(context.Background())
	got := h.topics()
	if len(got) != 6 {
		t.Fatalf("%d deliveries, want every one of 3 twice", len(got))
	}
	var order []int64
	for i := 0; i < len(got); i += 2 {
		if !bytes.Equal(got[i].body, got[i+1].body) || got[i].header.Get(woocommerce.HeaderDeliveryID) != got[i+1].header.Get(woocommerce.HeaderDeliveryID) {
			t.Errorf("delivery %d and its duplicate differ", i)
		}
		var o woocommerce.Order
		_ = json.Unmarshal(got[i].body, &o)
		order = append(order, o.ID)
	}
	if order[0] != ids[2] || order[2] != ids[0] {
		t.Errorf("delivery order %v, want newest first from %v", order, ids)
	}
	f.s.SetDelivery(DeliveryOptions{DropRate: 1})
	place()
	f.s.DeliverPending(context.Background())
	recs := f.s.Deliveries()
	if len(h.topics()) != 6 || !recs[len(recs)-1].Dropped {
		t.Errorf("a dropped delivery was sent, or not recorded: %+v", recs[len(recs)-1])
	}
}

func TestDeletionSendsOnlyTheID(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	f.subscribe(h, "product.deleted", "s")
	id := f.s.skuOwner("TEE-0001", 0)
	if a := f.call("DELETE", "/products/"+itoa(id), nil, nil); a.status != http.StatusOK {
		t.Fatalf("delete: %d", a.status)
	}
	f.s.DeliverPending(context.Background())
	if got := h.topics(); len(got) != 1 || string(got[0].body) != `{"id":`+itoa(id)+`}` {
		t.Errorf("deletion deliveries %v", got)
	}
}

func TestCheckoutDraftFiresOrderCreated(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	f.subscribe(h, "order.created", "s")
	if _, err := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}, Status: woocommerce.StatusCheckoutDraft}); err != nil {
		t.Fatal(err)
	}
	f.s.DeliverPending(context.Background())
	if got := h.topics(); len(got) != 1 || !bytes.Contains(got[0].body, []byte(`"status":"checkout-draft"`)) {
		t.Errorf("checkout-draft deliveries %d", len(got))
	}
}

func TestWebhookIsDisabledAfterMoreThanFiveConsecutiveFailures(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	w := f.subscribe(h, "product.updated", "s")
	id := f.s.skuOwner("TEE-0001", 0)
	touch := func() {
		if err := f.s.SetStock(id, 10); err != nil {
			t.Fatal(err)
		}
		f.s.DeliverPending(context.Background())
	}
	state := func() WebhookState { return f.s.Webhooks()[0] }
	h.code.Store(http.StatusInternalServerError)
	for i := 1; i <= 6; i++ {
		touch()
		if s := state(); s.Status != woocommerce.WebhookActive || s.FailureCount != i {
			t.Fatalf("after %d failures: %s with count %d", i, s.Status, s.FailureCount)
		}
	}
	touch()
	if s := state(); s.Status != woocommerce.WebhookDisabled {
		t.Fatalf("after 7 failures: %s", s.Status)
	}
	sent := len(h.topics())
	touch()
	if len(h.topics()) != sent {
		t.Error("a disabled webhook was delivered to")
	}
	// Re-activation keeps the failure count: one more failure disables it again...
	if a := f.call("PUT", "/webhooks/"+itoa(w.ID), nil, map[string]string{"status": "active"}); a.status != http.StatusOK {
		t.Fatalf("reactivate: %d", a.status)
	}
	touch()
	if s := state(); s.Status != woocommerce.WebhookDisabled {
		t.Errorf("re-activated webhook after one failure: %s (count %d)", s.Status, s.FailureCount)
	}
	// ...while a success (a 2xx, 301 or 302) resets it.
	f.call("PUT", "/webhooks/"+itoa(w.ID), nil, map[string]string{"status": "active"})
	h.code.Store(http.StatusFound)
	touch()
	if s := state(); s.Status != woocommerce.WebhookActive || s.FailureCount != 0 {
		t.Errorf("after a 302: %s with count %d", s.Status, s.FailureCount)
	}
}

func TestBackgroundLoopDeliversAfterTheDelay(t *testing.T) {
	f := newFixture(t, Config{Now: time.Now}, Catalog{SimpleProducts: 1})
	h := newHook(t)
	f.subscribe(h, "order.created", "s")
	<-h.seen // the ping
	f.s.SetDelivery(DeliveryOptions{Delay: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.s.RunDeliveries(ctx, 10*time.Millisecond)
	if _, err := f.s.PlaceOrder(OrderSpec{Billing: shoppers[0].addr, Lines: []LineSpec{{SKU: "TEE-0001", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.seen:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery from the background loop")
	}
	if got := h.topics(); len(got) != 1 {
		t.Errorf("%d deliveries", len(got))
	}
}

func TestWebhookValidation(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	for body, code := range map[string]string{
		`{"topic":"order.shipped","delivery_url":"http://x.example/"}`: "woocommerce_rest_shop_webhook_invalid_topic",
		`{"topic":"order.created","delivery_url":"ftp://x.example/"}`:  "woocommerce_rest_shop_webhook_invalid_delivery_url",
		`{"topic":"order.created"}`:                                    "woocommerce_rest_shop_webhook_invalid_delivery_url",
	} {
		if a := f.call("POST", "/webhooks", nil, body); a.status != 400 || a.wcError(t).Code != code {
			t.Errorf("%s: %d %s", body, a.status, a.body)
		}
	}
	h := newHook(t)
	w := f.subscribe(h, "customer.created", "s")
	if a := f.call("DELETE", "/webhooks/"+itoa(w.ID), nil, nil); a.status != 501 || a.wcError(t).Code != "woocommerce_rest_trash_not_supported" {
		t.Errorf("delete without force: %d %s", a.status, a.body)
	}
}
