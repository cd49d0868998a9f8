package erpnext_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/internal/failure"
)

// stub answers every request with one canned response, for answers the simulator never gives.
func stub(t *testing.T, status int, header map[string]string, body string) *erpnext.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := erpnext.New(erpnext.Config{URL: srv.URL, APIKey: apiKey, APISecret: apiSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorBodiesFromTheWild(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		kind       failure.Kind
		reason     failure.Reason
		code       string
		message    string
		retryAfter time.Duration
	}{
		{
			name: "several messages with markup and a bare string", status: 417,
			body: `{"exc_type":"ValidationError","_server_messages":"[\"{\\\"message\\\": \\\"Row #1: <b>Qty</b> must be &gt; 0\\\"}\", \"\\\"Also: check the rate\\\"\"]"}`,
			kind: failure.Permanent, reason: failure.ReasonValidation, code: "ValidationError",
			message: "Row #1: Qty must be > 0; Also: check the rate",
		},
		{
			name: "exception text only", status: 417,
			body: `{"exc_type":"MandatoryError","exception":"frappe.exceptions.MandatoryError: [Sales Order, new-1]: customer"}`,
			kind: failure.Permanent, reason: failure.ReasonValidation, code: "MandatoryError",
			message: "[Sales Order, new-1]: customer",
		},
		{
			name: "proxy page on a bad gateway", status: 502,
			body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			kind: failure.Transient, reason: failure.ReasonUnavailable, message: "502 Bad Gateway 502 Bad Gateway nginx",
		},
		{
			name: "rate limiter with only its reset header", status: 429, header: map[string]string{"X-RateLimit-Reset": "42"},
			body: "Too Many Requests", kind: failure.Transient, reason: failure.ReasonRateLimited, message: "Too Many Requests", retryAfter: 42 * time.Second,
		},
		{
			name: "empty body", status: 503, kind: failure.Transient, reason: failure.ReasonUnavailable, message: "Service Unavailable",
		},
		{
			name: "duplicate name", status: 409, body: `{"exc_type":"DuplicateEntryError","exception":"frappe.exceptions.DuplicateEntryError: ('Item', 'HD-1', IntegrityError(1062, \"Duplicate entry 'HD-1' for key 'PRIMARY'\"))"}`,
			kind: failure.Permanent, reason: failure.ReasonConflict, code: erpnext.ExcDuplicateEntry,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stub(t, tc.status, tc.header, tc.body).GetItem(ctx(t), "HD-1")
			fe := wantFailure(t, err, tc.kind, tc.reason, tc.status, tc.code, tc.message)
			if fe.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", fe.RetryAfter, tc.retryAfter)
			}
		})
	}
}

func TestUnreadableSuccessIsTransientBadResponse(t *testing.T) {
	_, err := stub(t, 200, nil, "<html>maintenance</html>").GetItem(ctx(t), "HD-1")
	wantFailure(t, err, failure.Transient, failure.ReasonBadResponse, 200, "", "")
}
