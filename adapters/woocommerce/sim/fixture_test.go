package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

const (
	testKey    = "ck_0123456789abcdef"
	testSecret = "cs_fedcba9876543210"
)

// fixture is a store served over plain HTTP (OAuth) with a settable clock.
type fixture struct {
	t     *testing.T
	s     *Sim
	srv   *httptest.Server
	clock *ManualClock
	now   func() time.Time // the store's clock: clock.Now unless the test gave another
	nonce atomic.Int64
}

func newFixture(t *testing.T, cfg Config, catalog Catalog) *fixture {
	t.Helper()
	clk := NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if cfg.ConsumerKey == "" {
		cfg.ConsumerKey, cfg.ConsumerSecret = testKey, testSecret
	}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	if cfg.Seed == 0 {
		cfg.Seed = 42
	}
	s := New(cfg)
	if err := s.Seed(catalog); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.SetSiteURL(srv.URL)
	return &fixture{t: t, s: s, srv: srv, clock: clk, now: cfg.Now}
}

// signed builds a request signed with OAuth 1.0a at the given time and nonce.
func (f *fixture) signed(method, path string, q url.Values, body any, ts time.Time, nonce string) *http.Request {
	f.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("oauth_consumer_key", testKey)
	q.Set("oauth_timestamp", strconv.FormatInt(ts.Unix(), 10))
	q.Set("oauth_nonce", nonce)
	q.Set("oauth_signature_method", woocommerce.OAuthHMACSHA256)
	u, _ := url.Parse(f.srv.URL + woocommerce.APIPath + path)
	base := woocommerce.OAuthBaseString(method, u.Scheme+"://"+u.Host+u.EscapedPath(), q)
	sig, _ := woocommerce.OAuthSign(woocommerce.OAuthHMACSHA256, woocommerce.OAuthSigningKey(testSecret), base)
	q.Set("oauth_signature", sig)
	u.RawQuery = q.Encode()
	return newRequest(f.t, method, u.String(), body)
}

func newRequest(t *testing.T, method, u string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

// wcError reads a WooCommerce error body.
func (a answer) wcError(t *testing.T) woocommerce.APIError {
	t.Helper()
	var e woocommerce.APIError
	a.decode(t, &e)
	if e.Data.Status != a.status {
		t.Errorf("data.status %d differs from HTTP status %d", e.Data.Status, a.status)
	}
	return e
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// call sends a correctly signed request with a fresh nonce.
func (f *fixture) call(method, path string, q url.Values, body any) answer {
	f.t.Helper()
	return send(f.t, f.signed(method, path, q, body, f.now(), fmt.Sprintf("nonce-%d", f.nonce.Add(1))))
}

// admin sends a request to the sim-only API.
func (f *fixture) admin(method, path string, body any) answer {
	f.t.Helper()
	return send(f.t, newRequest(f.t, method, f.srv.URL+"/__sim/"+path, body))
}

// hook is a webhook receiver that records raw deliveries.
type hook struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []captured
	code atomic.Int32
	seen chan struct{}
}

type captured struct {
	header http.Header
	body   []byte
}

func newHook(t *testing.T) *hook {
	h := &hook{seen: make(chan struct{}, 1000)}
	h.code.Store(http.StatusOK)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, captured{r.Header.Clone(), b})
		h.mu.Unlock()
		w.WriteHeader(int(h.code.Load()))
		h.seen <- struct{}{}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) deliveries() []captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]captured(nil), h.got...)
}

// topics returns the deliveries that carry a topic (not pings).
func (h *hook) topics() []captured {
	var out []captured
	for _, c := range h.deliveries() {
		if c.header.Get(woocommerce.HeaderTopic) != "" {
			out = append(out, c)
		}
	}
	return out
}

// subscribe registers a webhook on topic and drains its creation ping.
func (f *fixture) subscribe(h *hook, topic, secret string) woocommerce.Webhook {
	f.t.Helper()
	a := f.call("POST", "/webhooks", nil, woocommerce.Webhook{Topic: topic, DeliveryURL: h.srv.URL, Secret: secret})
	if a.status != http.StatusCreated {
		f.t.Fatalf("create webhook: %d %s", a.status, a.body)
	}
	var w woocommerce.Webhook
	a.decode(f.t, &w)
	return w
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatal(msg)
		case <-tick.C:
		}
	}
}
