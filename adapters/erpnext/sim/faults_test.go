package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/internal/simkit"
)

// admin calls the sim-only API and decodes its JSON answer into out (when not nil).
func (s *site) admin(method, path string, body any, out any) int {
	s.t.Helper()
	resp := s.send("", method, path, body)
	defer resp.Body.Close()
	if out != nil {
		s.must(json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

func TestOutageIsSwitchedOnAndOffWhileRunning(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.admin("PUT", "/__sim/faults", simkit.Faults{RetryAfter: 30 * time.Second}, nil)
	s.admin("POST", "/__sim/outage", nil, nil)
	status, body := s.call("GET", "/api/resource/Customer", nil, nil)
	if status != http.StatusServiceUnavailable || body["exc_type"] != "SessionStopped" {
		t.Errorf("during the outage: HTTP %d %v, want 503 SessionStopped", status, body["exc_type"])
	}
	if msgs := serverMessages(t, body); len(msgs) != 1 || !strings.Contains(msgs[0], "maintenance") {
		t.Errorf("outage message = %q", msgs)
	}
	s.admin("POST", "/__sim/outage?on=false", nil, nil)
	if status, _ := s.call("GET", "/api/resource/Customer", nil, nil); status != http.StatusOK {
		t.Errorf("after the outage: HTTP %d", status)
	}
}

func TestRateLimitAnswersLikeFrappesLimiter(t *testing.T) {
	s := newSite(t, sim.Options{Faults: simkit.Faults{RateLimitRate: 1, RetryAfter: 3 * time.Second}})
	resp := s.send("token "+key+":"+secret, "GET", "/api/resource/Customer", nil)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || string(body) != "Too Many Requests" {
		t.Errorf("HTTP %d %q, want 429 \"Too Many Requests\"", resp.StatusCode, body)
	}
	if resp.Header.Get("Retry-After") != "3" || resp.Header.Get("X-RateLimit-Reset") != "3" {
		t.Errorf("Retry-After %q, X-RateLimit-Reset %q, want 3 and 3", resp.Header.Get("Retry-After"), resp.Header.Get("X-RateLimit-Reset"))
	}
}

func TestFaultedRequestChangesNothingAndIsCounted(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.Kit().Injector.Set(simkit.Faults{ErrorRate: 1})
	status, body := s.call("POST", "/api/resource/Customer", nil, map[string]any{"customer_name": "Jane Doe"})
	if status != http.StatusInternalServerError || body["exc_type"] != "Exception" {
		t.Errorf("HTTP %d %v, want 500 Exception", status, body["exc_type"])
	}
	s.Kit().Injector.Set(simkit.Faults{})
	if got := s.Names("Customer"); len(got) != 0 {
		t.Errorf("a failed insert stored %v", got)
	}
	s.call("POST", "/api/resource/Customer", nil, map[string]any{"customer_name": "Jane Doe"})
	s.call("GET", "/api/resource/Customer/Jane Doe", nil, nil)
	s.call("GET", "/api/resource/Sales Order/SAL-1", nil, nil)
	var counts map[string]int64
	s.admin("GET", "/__sim/requests", nil, &counts)
	want := map[string]int64{"POST /api/resource/{doctype}": 2, "GET /api/resource/{doctype}/{name}": 2}
	for route, n := range want {
		if counts[route] != n {
			t.Errorf("requests[%q] = %d, want %d (all: %v)", route, counts[route], n, counts)
		}
	}
}

func TestAdminDrivesStockPricesDeliveriesAndReadsTheLedger(t *testing.T) {
	s := newSite(t, sim.Options{})
	if status := s.admin("POST", "/__sim/stock", map[string]any{"item_code": "HD-BLK-M", "warehouse": "Stores - ACME", "qty": 5}, nil); status != http.StatusOK {
		t.Fatalf("stock: HTTP %d", status)
	}
	if status := s.admin("POST", "/__sim/stock", map[string]any{"item_code": "HD-BLK-M", "warehouse": "Stores - ACME", "qty": -6}, nil); status != http.StatusExpectationFailed {
		t.Errorf("issuing more than on hand: HTTP %d, want 417", status)
	}
	s.wantBin("HD-BLK-M", binQty{"5", "0", "5"})
	var price struct{ Name string }
	s.admin("POST", "/__sim/prices", map[string]any{"item_code": "HD-BLK-M", "price_list": "Standard Selling", "rate": "49.90"}, &price)
	s.admin("POST", "/__sim/prices", map[string]any{"item_code": "HD-BLK-M", "price_list": "Standard Selling", "rate": "44.90"}, nil)
	status, body := s.call("GET", "/api/resource/Item Price", queryOf("fields", `["price_list_rate"]`, "filters", `[["item_code","=","HD-BLK-M"]]`), nil)
	if rows := body["data"].([]any); status != http.StatusOK || len(rows) != 1 {
		t.Fatalf("item prices: HTTP %d %v", status, body)
	} else {
		wantDecimal(t, "price", num(t, rows[0].(map[string]any)["price_list_rate"]), dec("44.90"))
	}

	so := s.order(s.customer("Jane Doe"), "woo-77", line{"HD-BLK-M", 2, "44.90"})
	var shipped sim.Shipped
	if status := s.admin("POST", "/__sim/deliveries", map[string]any{"sales_order": so["name"], "items": []map[string]any{{"item_code": "HD-BLK-M", "qty": 1}}, "carrier": "UPS", "awb_number": "1Z1"}, &shipped); status != http.StatusOK || shipped.Shipment == "" {
		t.Fatalf("delivery: HTTP %d %+v", status, shipped)
	}
	s.wantBin("HD-BLK-M", binQty{"4", "1", "3"})

	s.invoice("Jane Doe", nil, line{"HD-BLK-M", 1, "44.90"})
	var gl []sim.GLEntry
	s.admin("GET", "/__sim/gl", nil, &gl)
	var balances map[string]string
	s.admin("GET", "/__sim/balances", nil, &balances)
	if len(gl) != 2 || balances["Debtors - ACME"] != "44.9" {
		t.Errorf("ledger %+v, balances %v", gl, balances)
	}
}
