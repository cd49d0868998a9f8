package sim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func TestOAuthNonceIsSingleUse(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	now := f.clock.Now()
	if a := send(t, f.signed("GET", "/products", nil, nil, now, "n1")); a.status != http.StatusOK {
		t.Fatalf("first use: %d %s", a.status, a.body)
	}
	a := send(t, f.signed("GET", "/products", nil, nil, now, "n1"))
	if e := a.wcError(t); a.status != 401 || e.Code != "woocommerce_rest_authentication_error" || !strings.Contains(e.Message, "nonce") {
		t.Errorf("replayed nonce: %d %+v", a.status, e)
	}
	// After the 15 minute window the nonce is forgotten, as WooCommerce prunes it.
	f.clock.Advance(16 * time.Minute)
	if a := send(t, f.signed("GET", "/products", nil, nil, f.clock.Now(), "n1")); a.status != http.StatusOK {
		t.Errorf("nonce after the window: %d %s", a.status, a.body)
	}
}

func TestOAuthTimestampWindowIsFifteenMinutes(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	now := f.clock.Now()
	for i, tc := range []struct {
		skew time.Duration
		ok   bool
	}{{-14 * time.Minute, true}, {14 * time.Minute, true}, {-16 * time.Minute, false}, {16 * time.Minute, false}} {
		a := send(t, f.signed("GET", "/products", nil, nil, now.Add(tc.skew), "ts"+string(rune('a'+i))))
		if tc.ok != (a.status == http.StatusOK) {
			t.Errorf("skew %v: %d %s", tc.skew, a.status, a.body)
		}
		if !tc.ok && a.wcError(t).Message != "Invalid timestamp." {
			t.Errorf("skew %v: %s", tc.skew, a.body)
		}
	}
}

func TestOAuthRefusals(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	base := f.srv.URL + woocommerce.APIPath + "/products"
	good := f.signed("GET", "/products", nil, nil, f.clock.Now(), "x1")
	tamper := func(edit func(q url.Values)) *http.Request {
		q := good.URL.Query()
		edit(q)
		return newRequest(t, "GET", base+"?"+q.Encode(), nil)
	}
	cases := map[string]struct {
		req  *http.Request
		code string
		msg  string
	}{
		"missing nonce":         {tamper(func(q url.Values) { q.Del("oauth_nonce") }), "woocommerce_rest_authentication_missing_parameter", "Missing OAuth parameter oauth_nonce"},
		"unknown key":           {tamper(func(q url.Values) { q.Set("oauth_consumer_key", "ck_other") }), "woocommerce_rest_authentication_error", "Consumer key is invalid."},
		"bad signature":         {tamper(func(q url.Values) { q.Set("oauth_signature", "AAAA") }), "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match."},
		"signed params changed": {tamper(func(q url.Values) { q.Set("per_page", "5") }), "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match."},
		"PLAINTEXT":             {tamper(func(q url.Values) { q.Set("oauth_signature_method", "PLAINTEXT") }), "woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid."},
		"no credentials":        {newRequest(t, "GET", base, nil), "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."},
		"Basic over plain http is ignored": {func() *http.Request {
			r := newRequest(t, "GET", base, nil)
			r.SetBasicAuth(testKey, testSecret)
			return r
		}(), "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := send(t, tc.req)
			e := a.wcError(t)
			if a.status != http.StatusUnauthorized || e.Code != tc.code || e.Message != tc.msg {
				t.Errorf("got %d %s %q", a.status, e.Code, e.Message)
			}
		})
	}
}

func TestOAuthAcceptsHMACSHA1AndTheAuthorizationHeader(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	u := f.srv.URL + woocommerce.APIPath + "/products"
	q := url.Values{"oauth_consumer_key": {testKey}, "oauth_timestamp": {itoa(f.clock.Now().Unix())},
		"oauth_nonce": {"hdr"}, "oauth_signature_method": {woocommerce.OAuthHMACSHA1}}
	sig, _ := woocommerce.OAuthSign(woocommerce.OAuthHMACSHA1, woocommerce.OAuthSigningKey(testSecret), woocommerce.OAuthBaseString("GET", u, q))
	r := newRequest(t, "GET", u, nil)
	r.Header.Set("Authorization", `OAuth oauth_consumer_key="`+testKey+`", oauth_timestamp="`+q.Get("oauth_timestamp")+
		`", oauth_nonce="hdr", oauth_signature_method="HMAC-SHA1", oauth_signature="`+url.QueryEscape(sig)+`"`)
	if a := send(t, r); a.status != http.StatusOK {
		t.Errorf("header OAuth with HMAC-SHA1: %d %s", a.status, a.body)
	}
}

func TestBasicAuthOverHTTPS(t *testing.T) {
	f := newFixture(t, Config{TLSTerminated: true}, Catalog{})
	u := f.srv.URL + woocommerce.APIPath + "/products"
	basic := func(key, secret, query string) answer {
		r := newRequest(t, "GET", u+query, nil)
		if key != "" {
			r.SetBasicAuth(key, secret)
		}
		return send(t, r)
	}
	if a := basic(testKey, testSecret, ""); a.status != http.StatusOK {
		t.Errorf("good Basic: %d %s", a.status, a.body)
	}
	a := basic(testKey, "cs_wrong", "")
	if e := a.wcError(t); a.status != 401 || e.Message != "Consumer secret is invalid." || a.header.Get("WWW-Authenticate") == "" {
		t.Errorf("wrong secret: %d %+v %v", a.status, e, a.header)
	}
	if e := basic("ck_unknown", testSecret, "").wcError(t); e.Code != "woocommerce_rest_cannot_view" {
		t.Errorf("unknown key runs unauthenticated and fails later: %+v", e)
	}
	// Query parameters win over the Authorization header.
	if a := basic(testKey, "cs_wrong", "?consumer_key="+testKey+"&consumer_secret="+testSecret); a.status != http.StatusOK {
		t.Errorf("good query, bad Basic: %d", a.status)
	}
	if a := basic(testKey, testSecret, "?consumer_key="+testKey+"&consumer_secret=cs_wrong"); a.status != http.StatusUnauthorized {
		t.Errorf("bad query, good Basic: %d", a.status)
	}
}

func TestKeyPermissions(t *testing.T) {
	f := newFixture(t, Config{Permissions: PermRead}, Catalog{})
	if a := f.call("GET", "/products", nil, nil); a.status != http.StatusOK {
		t.Errorf("read with a read key: %d", a.status)
	}
	a := f.call("POST", "/products", nil, map[string]string{"name": "x"})
	if e := a.wcError(t); a.status != 401 || e.Message != "The API key provided does not have write permissions." {
		t.Errorf("write with a read key: %d %+v", a.status, e)
	}
}

func TestUnknownRouteIsRestNoRoute(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	a := f.call("GET", "/refunds-of-everything", nil, nil)
	if e := a.wcError(t); a.status != 404 || e.Code != "rest_no_route" {
		t.Errorf("%d %+v", a.status, e)
	}
}

// FuzzOAuthHeader feeds arbitrary Authorization headers and query strings to the store's OAuth
// check: it must never panic, and must never let a request through without the right signature.
func FuzzOAuthHeader(f *testing.F) {
	f.Add(`OAuth oauth_consumer_key="ck_0123456789abcdef", oauth_nonce="n", oauth_signature="x"`, "oauth_timestamp=1")
	f.Add(`OAuth realm="x",oauth_signature_method=HMAC-SHA256`, "")
	f.Add(`OAuth oauth_=",,,"`, "oauth_consumer_key=ck_0123456789abcdef&oauth_signature=%zz")
	f.Add("Basic Y2s6Y3M=", "consumer_key=a&consumer_secret=b")
	s := New(Config{ConsumerKey: testKey, ConsumerSecret: testSecret, Now: func() time.Time { return time.Unix(1767323045, 0) }})
	f.Fuzz(func(t *testing.T, header, rawQuery string) {
		r, err := http.NewRequest("GET", "http://shop.example/wp-json/wc/v3/products?"+rawQuery, nil)
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Authorization", header)
		a := s.authenticate(r)
		if a.err == nil && !a.anonymous {
			t.Fatalf("authenticated without the secret: header %q query %q", header, rawQuery)
		}
	})
}

func TestAddedKeysWorkAndRevokedKeysStop(t *testing.T) {
	s := New(Config{ConsumerKey: "ck_old", ConsumerSecret: "cs_old", TLSTerminated: true})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func(key, secret string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/wp-json/wc/v3/system_status", nil)
		req.SetBasicAuth(key, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	s.AddKey("ck_new", "cs_new")
	if got := get("ck_new", "cs_new"); got != http.StatusOK {
		t.Fatalf("added key: %d", got)
	}
	if got := get("ck_old", "cs_old"); got != http.StatusOK {
		t.Fatalf("old key before revocation: %d", got)
	}
	s.RevokeKey("ck_old")
	if got := get("ck_old", "cs_old"); got == http.StatusOK {
		t.Fatal("a revoked key still works")
	}
	if got := get("ck_new", "cs_wrong"); got != http.StatusUnauthorized {
		t.Fatalf("wrong secret for the new key: %d, want 401", got)
	}
}
