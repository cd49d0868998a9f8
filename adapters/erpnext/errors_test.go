package erpnext_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/simkit"
)

func wantFailure(t *testing.T, err error, kind failure.Kind, reason failure.Reason, status int, code, message string) *failure.Error {
	t.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *failure.Error", err, err)
	}
	if fe.Kind != kind || fe.Reason != reason || fe.Status != status || fe.System != erpnext.System {
		t.Errorf("failure %v: kind %v reason %v status %d system %q; want %v %v %d ERPNext", fe, fe.Kind, fe.Reason, fe.Status, fe.System, kind, reason, status)
	}
	if code != "" && fe.Code != code {
		t.Errorf("code = %q, want %q", fe.Code, code)
	}
	if message != "" && fe.Message != message {
		t.Errorf("message = %q, want %q", fe.Message, message)
	}
	return fe
}

func TestValidationErrorCarriesTheERPsMessage(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.CreateSalesInvoice(ctx(t), erpnext.SalesInvoice{Customer: "Nobody", Items: []erpnext.SalesInvoiceItem{{ItemCode: "HD-BLK-M", Qty: dec("1"), Rate: dec("1")}}})
	wantFailure(t, err, failure.Permanent, failure.ReasonValidation, http.StatusExpectationFailed, "LinkValidationError", "Could not find Customer: Nobody")
}

func TestAuthPermissionAndNotFound(t *testing.T) {
	e := newEnv(t)
	bad, err := erpnext.New(erpnext.Config{URL: e.url, APIKey: apiKey, APISecret: "wrong"})
	e.must(err)
	_, err = bad.GetItem(ctx(t), "HD-BLK-M")
	fe := wantFailure(t, err, failure.Permanent, failure.ReasonUnauthorized, http.StatusUnauthorized, "AuthenticationError", "")
	if msg := fe.Error(); strings.Contains(msg, "wrong") || strings.Contains(msg, apiSecret) {
		t.Errorf("the error %q shows a secret", fe.Error())
	}

	e.site.Deny("Item", true)
	_, err = e.client.GetItem(ctx(t), "HD-BLK-M")
	wantFailure(t, err, failure.Permanent, failure.ReasonForbidden, http.StatusForbidden, "PermissionError", "")

	_, err = e.client.GetSalesOrder(ctx(t), "SAL-ORD-2026-99999")
	wantFailure(t, err, failure.Permanent, failure.ReasonNotFound, http.StatusNotFound, erpnext.ExcDoesNotExist, "Sales Order SAL-ORD-2026-99999 not found")
	if !erpnext.IsNotFound(err) {
		t.Error("IsNotFound is false for a 404")
	}
}

func TestDuplicateIsRecognisedInBothDialects(t *testing.T) {
	for name, frappeUnique := range map[string]bool{"409 DuplicateEntryError": false, "417 UniqueValidationError": true} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, withSim(func(o *sim.Options) { o.UniqueAsValidationError = frappeUnique }))
			c := e.customer("Jane Doe", "woo-cust-1")
			so := storeOrder(c.Name, "woo-1")
			e.must(e.client.InsertAndSubmit(ctx(t), "Sales Order", so, nil))
			err := e.client.InsertAndSubmit(ctx(t), "Sales Order", so, nil)
			if !erpnext.IsDuplicate(err) || !failure.IsPermanent(err) {
				t.Errorf("second insert: %v; want a permanent duplicate", err)
			}
		})
	}
}

func TestTransientFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		faults     simkit.Faults
		status     int
		reason     failure.Reason
		retryAfter time.Duration
		message    string
	}{
		{"rate limited", simkit.Faults{RateLimitRate: 1, RetryAfter: 7 * time.Second}, http.StatusTooManyRequests, failure.ReasonRateLimited, 7 * time.Second, "Too Many Requests"},
		{"server error", simkit.Faults{ErrorRate: 1}, http.StatusInternalServerError, failure.ReasonUnavailable, 0, "Internal server error (simulated)."},
		{"outage", simkit.Faults{Outage: true, RetryAfter: 60 * time.Second}, http.StatusServiceUnavailable, failure.ReasonUnavailable, time.Minute, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.site.Kit().Injector.Set(tc.faults)
			_, err := e.client.GetItem(ctx(t), "HD-BLK-M")
			fe := wantFailure(t, err, failure.Transient, tc.reason, tc.status, "", tc.message)
			if fe.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", fe.RetryAfter, tc.retryAfter)
			}
		})
	}
}

func TestConnectionResetIsTransient(t *testing.T) {
	e := newEnv(t)
	e.site.Kit().Injector.Set(simkit.Faults{ResetRate: 1})
	_, err := e.client.GetItem(ctx(t), "HD-BLK-M")
	fe := failure.Classify(err)
	if fe == nil || fe.Kind != failure.Transient || fe.System != erpnext.System {
		t.Errorf("reset connection: %v, want a transient ERPNext failure", err)
	}
}

func TestTimeoutIsTransientAndCancellationIsNot(t *testing.T) {
	e := newEnv(t, withClient(func(c *erpnext.Config) { c.Timeout = 50 * time.Millisecond }))
	e.site.Kit().Injector.Set(simkit.Faults{Latency: 5 * time.Second})
	_, err := e.client.GetItem(ctx(t), "HD-BLK-M")
	wantFailure(t, err, failure.Transient, failure.ReasonTimeout, 0, "", "")

	cctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := e.client.GetItem(cctx, "HD-BLK-M"); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || failure.Classify(err) != nil {
		t.Errorf("cancelled call: %v, want context.Canceled, which is no failure of the ERP", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []erpnext.Config{
		{URL: "erp.acme.example", APIKey: "k", APISecret: "s"},
		{URL: "ftp://erp.acme.example", APIKey: "k", APISecret: "s"},
		{URL: "https://erp.acme.example", APIKey: "k"},
	} {
		if _, err := erpnext.New(cfg); !failure.IsPermanent(err) {
			t.Errorf("New(%+v) = %v, want a permanent error", cfg.URL, err)
		}
	}
}

// A followed redirect would turn the PUT into a GET that answers 200 (an update that did nothing)
// and carry the API token to wherever the answer pointed.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the client followed a redirect to %s %s", r.Method, r.URL.Path)
	}))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	c, err := erpnext.New(erpnext.Config{URL: srv.URL, APIKey: apiKey, APISecret: apiSecret, HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Update(context.Background(), "Customer", "CUST-1", map[string]any{"customer_name": "x"}, nil)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Kind != failure.Permanent || fe.Status != http.StatusFound || !strings.Contains(fe.Message, target.URL) {
		t.Fatalf("redirect error %v, want a permanent failure naming %s", err, target.URL)
	}
	if strings.Contains(err.Error(), apiSecret) {
		t.Fatalf("the error shows the API secret: %v", err)
	}
}
