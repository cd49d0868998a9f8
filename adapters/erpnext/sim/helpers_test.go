package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

const (
	key    = "k3y"
	secret = "s3cret"
)

// site is a simulator behind a test HTTP server, with a raw Frappe caller.
type site struct {
	*sim.Server
	t   *testing.T
	url string
}

func newSite(t *testing.T, opts sim.Options) *site {
	t.Helper()
	opts.APIKey, opts.APISecret = key, secret
	s := sim.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	st := &site{Server: s, t: t, url: srv.URL}
	st.must(s.AddItem(sim.ItemSpec{Code: "HD-BLK-M", Name: "Hoodie Black M"}))
	st.must(s.AddItem(sim.ItemSpec{Code: "TEE-WHT-S", Name: "Tee White S"}))
	st.must(s.AddItem(sim.ItemSpec{Code: "GIFT-WRAP", Name: "Gift wrap", NonStock: true}))
	s.AddAccount("Sales Tax CA - ACME", "Tax")
	s.AddAccount("Shipping Income - ACME", "Income Account")
	s.AddAccount("Stripe Clearing - ACME", "Cash")
	return st
}

func (s *site) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// call sends a request with the site's token and returns the status and the decoded JSON body.
func (s *site) call(method, path string, query url.Values, body any) (int, map[string]any) {
	s.t.Helper()
	return s.callAs("token "+key+":"+secret, method, path, query, body)
}

func (s *site) callAs(auth, method, path string, query url.Values, body any) (int, map[string]any) {
	s.t.Helper()
	u := (&url.URL{Path: path}).EscapedPath()
	if query != nil {
		u += "?" + query.Encode()
	}
	resp := s.send(auth, method, u, body)
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var out map[string]any
	_ = dec.Decode(&out)
	return resp.StatusCode, out
}

// send makes one request to the site with a JSON body; the caller closes the answer's body.
func (s *site) send(auth, method, pathAndQuery string, body any) *http.Response {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		s.must(err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+pathAndQuery, r)
	s.must(err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	s.must(err)
	return resp
}

// insert creates a document and fails the test unless the site accepts it.
func (s *site) insert(doctype string, d map[string]any) map[string]any {
	s.t.Helper()
	status, body := s.call("POST", "/api/resource/"+doctype, nil, d)
	if status != http.StatusOK {
		s.t.Fatalf("insert %s: HTTP %d %v", doctype, status, body)
	}
	return body["data"].(map[string]any)
}

func (s *site) customer(name string) string {
	return s.insert("Customer", map[string]any{"customer_name": name})["name"].(string)
}

// order submits a Sales Order for the lines (item code, qty, rate) in the Stores warehouse.
func (s *site) order(customer, externalID string, lines ...line) map[string]any {
	s.t.Helper()
	return s.insert("Sales Order", map[string]any{
		"customer": customer, "docstatus": 1, "custom_external_order_id": externalID,
		"set_warehouse": "Stores - ACME", "items": lines2items(lines),
	})
}

type line struct {
	item string
	qty  int64
	rate string
}

func lines2items(lines []line) []map[string]any {
	var items []map[string]any
	for _, l := range lines {
		items = append(items, map[string]any{"item_code": l.item, "qty": l.qty, "rate": json.Number(l.rate)})
	}
	return items
}

func num(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(string(v.(json.Number)))
	if err != nil {
		t.Fatalf("%v is not a number: %v", v, err)
	}
	return d
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func wantDecimal(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// serverMessages decodes the double-encoded _server_messages of an error body.
func serverMessages(t *testing.T, body map[string]any) []string {
	t.Helper()
	raw, ok := body["_server_messages"].(string)
	if !ok {
		t.Fatalf("_server_messages is not a JSON string: %v", body)
	}
	var encoded []string
	if err := json.Unmarshal([]byte(raw), &encoded); err != nil {
		t.Fatalf("_server_messages is not a JSON list of strings: %v", err)
	}
	var out []string
	for _, e := range encoded {
		var m struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(e), &m); err != nil {
			t.Fatalf("a server message is not a JSON object string: %v", err)
		}
		out = append(out, m.Message)
	}
	return out
}
