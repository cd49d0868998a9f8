package failure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestFromHTTPClassifiesByStatus(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		status     int
		header     http.Header
		kind       Kind
		reason     Reason
		retryAfter time.Duration
	}{
		{429, http.Header{"Retry-After": {"7"}}, Transient, ReasonRateLimited, 7 * time.Second},
		{503, http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, Transient, ReasonUnavailable, 90 * time.Second},
		{500, nil, Transient, ReasonUnavailable, 0},
		{408, nil, Transient, ReasonTimeout, 0},
		{401, nil, Permanent, ReasonUnauthorized, 0},
		{403, nil, Permanent, ReasonForbidden, 0},
		{404, nil, Permanent, ReasonNotFound, 0},
		{409, nil, Permanent, ReasonConflict, 0},
		{400, nil, Permanent, ReasonValidation, 0},
		{417, nil, Permanent, ReasonValidation, 0},
		// A permanent failure ignores Retry-After: waiting does not fix bad data.
		{400, http.Header{"Retry-After": {"30"}}, Permanent, ReasonValidation, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			e := FromHTTP("WooCommerce", c.status, c.header, "woocommerce_rest_x", "msg", now)
			if e.Kind != c.kind || e.Reason != c.reason || e.RetryAfter != c.retryAfter {
				t.Fatalf("got kind=%s reason=%s retryAfter=%s; want %s %s %s", e.Kind, e.Reason, e.RetryAfter, c.kind, c.reason, c.retryAfter)
			}
			if e.Status != c.status || e.Code != "woocommerce_rest_x" || e.System != "WooCommerce" {
				t.Fatalf("lost details: %+v", e)
			}
		})
	}
}

func TestParseRetryAfterRejectsNonsense(t *testing.T) {
	now := time.Now()
	for _, v := range []string{"", "soon", "-5", "0", now.Add(-time.Hour).UTC().Format(http.TimeFormat)} {
		if d := ParseRetryAfter(v, now); d != 0 {
			t.Errorf("ParseRetryAfter(%q) = %s, want 0", v, d)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassifyUnclassifiedErrors(t *testing.T) {
	if Classify(nil) != nil {
		t.Error("nil must stay nil")
	}
	if Classify(fmt.Errorf("wrapped: %w", context.Canceled)) != nil {
		t.Error("cancellation is shutdown, not a failure")
	}
	if got := Classify(context.DeadlineExceeded); got.Kind != Transient || got.Reason != ReasonTimeout {
		t.Errorf("deadline: %+v", got)
	}
	if got := Classify(&net.OpError{Op: "dial", Err: errors.New("connection refused")}); got.Kind != Transient || got.Reason != ReasonConnection {
		t.Errorf("dial error: %+v", got)
	}
	if got := Classify(fmt.Errorf("read: %w", timeoutErr{})); got.Reason != ReasonTimeout {
		t.Errorf("net timeout: %+v", got)
	}
	if got := Classify(errors.New("surprise")); got.Kind != Transient {
		t.Errorf("unknown errors are retried, got %+v", got)
	}
	perm := fmt.Errorf("mapping order 7: %w", Permanentf(ReasonUnmapped, "SKU %q is not mapped", "X"))
	if !IsPermanent(perm) || ReasonOf(perm) != ReasonUnmapped {
		t.Errorf("wrapped permanent error lost its class: %v", perm)
	}
	if d, ok := RetryAfter(fmt.Errorf("x: %w", &Error{Kind: Transient, RetryAfter: time.Second})); !ok || d != time.Second {
		t.Errorf("RetryAfter through wrapping = %s %v", d, ok)
	}
}

func TestErrorMessageCarriesContext(t *testing.T) {
	e := FromHTTP("ERPNext", 409, nil, "DuplicateEntryError", "Sales Order SO-1 exists", time.Now())
	want := "ERPNext Conflict (HTTP 409, DuplicateEntryError): Sales Order SO-1 exists"
	if e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
}
