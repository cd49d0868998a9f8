package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
)

type recorder struct {
	mu  sync.Mutex
	got []Delivery
	err error
}

func (r *recorder) HandleDelivery(_ context.Context, d Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.got = append(r.got, d)
	return nil
}

// phpBody is an order.updated payload exactly as PHP's json_encode writes it: "/" escaped and
// non-ASCII as \u escapes. Re-encoding it with Go changes the bytes and so the signature.
const phpBody = `{"id":1042,"status":"processing","billing":{"first_name":"J\u00fcrgen","email":"j\u00fcrgen@example.de"},"date_modified_gmt":"2026-03-01T10:00:00","_links":{"self":[{"href":"https:\/\/shop.example\/wp-json\/wc\/v3\/orders\/1042"}]}}`

func deliveryRequest(body, secret string, header map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/woocommerce", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(HeaderTopic, "order.updated")
	r.Header.Set(HeaderResource, "order")
	r.Header.Set(HeaderEvent, "updated")
	r.Header.Set(HeaderWebhookID, "7")
	r.Header.Set(HeaderDeliveryID, "d41d8cd98f00b204e9800998ecf8427e")
	r.Header.Set(HeaderSource, "https://shop.example/")
	if secret != "" {
		r.Header.Set(HeaderSignature, Sign([]byte(body), []byte(secret)))
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

func serve(rc *Receiver, r *http.Request) int {
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, r)
	return w.Code
}

func newTestReceiver(rec *recorder, current, previous string) *Receiver {
	return NewReceiver(SecretSourceFunc(func(context.Context) (WebhookSecrets, error) {
		return WebhookSecrets{Current: []byte(current), Previous: []byte(previous)}, nil
	}), rec, 1024, logr.Discard())
}

func TestReceiverAcceptsPHPEscapedBodyVerbatim(t *testing.T) {
	rec := &recorder{}
	rc := newTestReceiver(rec, "s3cret", "")
	if code := serve(rc, deliveryRequest(phpBody, "s3cret", nil)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	if len(rec.got) != 1 {
		t.Fatalf("handed on %d deliveries, want 1", len(rec.got))
	}
	d := rec.got[0]
	want := DeliveryKey{Resource: "order", ID: 1042, Version: "2026-03-01T10:00:00"}
	if d.Key != want || d.Topic != "order.updated" || d.Event != "updated" || d.WebhookID != 7 || d.SignedWithPrevious {
		t.Errorf("delivery = %+v", d)
	}
	if !bytes.Equal(d.Body, []byte(phpBody)) {
		t.Error("the body handed on is not the raw body")
	}
}

func TestReceiverRejectsASignatureOverReencodedJSON(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(phpBody), &v); err != nil {
		t.Fatal(err)
	}
	reencoded, _ := json.Marshal(v)
	if bytes.Equal(reencoded, []byte(phpBody)) {
		t.Fatal("test body must differ once re-encoded")
	}
	rec := &recorder{}
	rc := newTestReceiver(rec, "s3cret", "")
	// Signed over Go's re-encoding but sent as PHP wrote it: the bytes differ, so must the verdict.
	r := deliveryRequest(phpBody, "", map[string]string{HeaderSignature: Sign(reencoded, []byte("s3cret"))})
	if code := serve(rc, r); code != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", code)
	}
	if len(rec.got) != 0 {
		t.Error("a delivery with a bad signature was handed on")
	}
}

func TestReceiverSecretsAndRotation(t *testing.T) {
	cases := []struct {
		name, signedWith, current, previous string
		want                                int
		previousMatched                     bool
	}{
		{"current secret", "new", "new", "old", http.StatusOK, false},
		{"previous secret during grace", "old", "new", "old", http.StatusOK, true},
		{"previous secret after grace", "old", "new", "", http.StatusUnauthorized, false},
		{"wrong secret", "guess", "new", "old", http.StatusUnauthorized, false},
		{"no signature", "", "new", "old", http.StatusUnauthorized, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			rc := newTestReceiver(rec, tc.current, tc.previous)
			if code := serve(rc, deliveryRequest(phpBody, tc.signedWith, nil)); code != tc.want {
				t.Fatalf("status %d, want %d", code, tc.want)
			}
			if tc.want != http.StatusOK {
				if len(rec.got) != 0 {
					t.Error("a rejected delivery was handed on")
				}
				return
			}
			if len(rec.got) != 1 || rec.got[0].SignedWithPrevious != tc.previousMatched {
				t.Errorf("deliveries %+v", rec.got)
			}
		})
	}
}

func TestReceiverSecretsAreReadPerDelivery(t *testing.T) {
	current := "first"
	var mu sync.Mutex
	rec := &recorder{}
	rc := NewReceiver(SecretSourceFunc(func(context.Context) (WebhookSecrets, error) {
		mu.Lock()
		defer mu.Unlock()
		return WebhookSecrets{Current: []byte(current)}, nil
	}), rec, 0, logr.Discard())
	if code := serve(rc, deliveryRequest(phpBody, "first", nil)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	mu.Lock()
	current = "second"
	mu.Unlock()
	if code := serve(rc, deliveryRequest(phpBody, "first", nil)); code != http.StatusUnauthorized {
		t.Errorf("the swapped-out secret still verifies: %d", code)
	}
	if code := serve(rc, deliveryRequest(phpBody, "second", nil)); code != http.StatusOK {
		t.Errorf("the new secret does not verify: %d", code)
	}
}

func TestReceiverAnswersThePingWithoutHandingItOn(t *testing.T) {
	rec := &recorder{}
	rc := newTestReceiver(rec, "s3cret", "")
	r := httptest.NewRequest(http.MethodPost, "/webhooks/woocommerce", strings.NewReader("webhook_id=7"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code := serve(rc, r); code != http.StatusOK {
		t.Errorf("ping status %d, want 200", code)
	}
	if len(rec.got) != 0 {
		t.Error("the ping was handed on")
	}
	// A ping-shaped body that claims a topic is not a ping: it must be signed.
	r = deliveryRequest("webhook_id=7", "", nil)
	if code := serve(rc, r); code != http.StatusUnauthorized {
		t.Errorf("unsigned topic delivery status %d, want 401", code)
	}
}

func TestReceiverRejectsOversizedAndMalformedDeliveries(t *testing.T) {
	big := `{"id":1,"pad":"` + strings.Repeat("x", 2048) + `"}`
	cases := map[string]struct {
		req  *http.Request
		want int
	}{
		"oversized":           {deliveryRequest(big, "s3cret", nil), http.StatusRequestEntityTooLarge},
		"not json":            {deliveryRequest(`{"id":`, "s3cret", nil), http.StatusBadRequest},
		"array":               {deliveryRequest(`[1,2]`, "s3cret", nil), http.StatusBadRequest},
		"no id":               {deliveryRequest(`{"status":"processing"}`, "s3cret", nil), http.StatusBadRequest},
		"negative id":         {deliveryRequest(`{"id":-4}`, "s3cret", nil), http.StatusBadRequest},
		"fractional id":       {deliveryRequest(`{"id":4.5}`, "s3cret", nil), http.StatusBadRequest},
		"bad date":            {deliveryRequest(`{"id":4,"date_modified_gmt":"soon"}`, "s3cret", nil), http.StatusBadRequest},
		"topic without event": {deliveryRequest(`{"id":4}`, "s3cret", map[string]string{HeaderTopic: "order"}), http.StatusBadRequest},
		"resource mismatch":   {deliveryRequest(`{"id":4}`, "s3cret", map[string]string{HeaderResource: "product"}), http.StatusBadRequest},
		"bad webhook id":      {deliveryRequest(`{"id":4}`, "s3cret", map[string]string{HeaderWebhookID: "x"}), http.StatusBadRequest},
		"GET":                 {httptest.NewRequest(http.MethodGet, "/", nil), http.StatusMethodNotAllowed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			if code := serve(newTestReceiver(rec, "s3cret", ""), tc.req); code != tc.want {
				t.Errorf("status %d, want %d", code, tc.want)
			}
			if len(rec.got) != 0 {
				t.Error("a rejected delivery was handed on")
			}
		})
	}
}

func TestReceiverDeletionKeyAndHandlerFailure(t *testing.T) {
	rec := &recorder{}
	rc := newTestReceiver(rec, "s3cret", "")
	r := deliveryRequest(`{"id":55}`, "s3cret", map[string]string{HeaderTopic: "product.deleted", HeaderResource: "product", HeaderEvent: "deleted"})
	if code := serve(rc, r); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if want := (DeliveryKey{Resource: "product", ID: 55, Version: "deleted"}); rec.got[0].Key != want {
		t.Errorf("key %v, want %v", rec.got[0].Key, want)
	}
	rec.err = errors.New("queue full")
	if code := serve(rc, deliveryRequest(phpBody, "s3cret", nil)); code != http.StatusServiceUnavailable {
		t.Errorf("handler failure answered %d, want 503 so WooCommerce counts it failed", code)
	}
}

// FuzzParseDelivery feeds arbitrary topics and bodies to the parser: it must never panic, and what it
// accepts must name a positive id (or be an action) with a key consistent with the delivery.
func FuzzParseDelivery(f *testing.F) {
	f.Add("order.updated", phpBody)
	f.Add("product.deleted", `{"id":55}`)
	f.Add("action.woocommerce_add_to_cart", `{"action":"x","arg":1}`)
	f.Add("order.created", `{"id":"12"}`)
	f.Add("order.created", `{"id":1e3}`)
	f.Add(".", `{}`)
	f.Fuzz(func(t *testing.T, topic, body string) {
		h := http.Header{}
		h.Set(HeaderTopic, topic)
		d, err := ParseDelivery(h, []byte(body))
		if err != nil {
			return
		}
		if d.Resource+"."+d.Event != topic || d.Key.Resource != d.Resource {
			t.Fatalf("topic %q parsed as %q.%q", topic, d.Resource, d.Event)
		}
		if d.Resource != "action" && (d.ResourceID <= 0 || d.Key.ID != d.ResourceID || d.Key.Version == "") {
			t.Fatalf("accepted delivery without identity: %+v", d)
		}
		if !json.Valid([]byte(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}
