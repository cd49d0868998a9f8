package erpnext_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/throttle"
)

// TestInFlightCapHoldsUnderConcurrency counts requests in flight at the site while many goroutines
// call the client; the connection's maxInFlight must bound them.
func TestInFlightCapHoldsUnderConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int64
	release := make(chan struct{})
	arrived := make(chan struct{}, 64)
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			arrived <- struct{}{}
			<-release
			next.ServeHTTP(w, r)
			inFlight.Add(-1)
		})
	}
	e := newEnv(t, withMiddleware(count), withClient(func(c *erpnext.Config) { c.Limits = throttle.Limits{MaxInFlight: 3} }))
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			if _, err := e.client.GetItem(ctx(t), "HD-BLK-M"); err != nil {
				t.Error(err)
			}
		})
	}
	// Hold the first three at the site, then let requests through one at a time: each release lets
	// exactly one waiting call in, so the site never sees a fourth.
	for range 3 {
		<-arrived
	}
	for i := range 12 {
		release <- struct{}{}
		if i < 9 {
			<-arrived
		}
	}
	wg.Wait()
	if p := peak.Load(); p != 3 {
		t.Errorf("peak requests in flight = %d, want 3 (the cap)", p)
	}
}

// TestRateLimitThatOutlastsTheDeadlineFailsWithoutCalling: with one request per 1000 seconds, the
// second call cannot be sent before its context's deadline, so the client says so at once, as a
// transient local rate-limit failure, and the site never sees the call.
func TestRateLimitThatOutlastsTheDeadlineFailsWithoutCalling(t *testing.T) {
	e := newEnv(t, withClient(func(c *erpnext.Config) { c.Limits = throttle.Limits{RequestsPerSecond: 0.001, Burst: 1} }))
	if _, err := e.client.GetItem(ctx(t), "HD-BLK-M"); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.GetItem(ctx(t), "HD-BLK-M")
	fe := failure.Classify(err)
	if fe == nil || fe.Kind != failure.Transient || fe.Reason != failure.ReasonRateLimited || fe.System != "" {
		t.Errorf("second call: %v, want a transient local RateLimited failure", err)
	}
	if n := e.site.Kit().Accounting.Total(); n != 1 {
		t.Errorf("the site saw %d requests, want 1", n)
	}
}
