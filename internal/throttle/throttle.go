// Package throttle bounds how hard one connection presses on a remote system: a token-bucket rate
// (requests per second with a burst) and a cap on requests in flight, the two knobs of a
// StoreConnection's spec.rateLimit. Every adapter call acquires a slot before it sends.
package throttle

import (
	"context"

	"golang.org/x/time/rate"

	"github.com/retailsync/retailsync/internal/failure"
)

// Limits mirrors StoreConnection spec.rateLimit. Zero values mean "no limit" for that knob.
type Limits struct {
	RequestsPerSecond float64 // float is right here: it is a rate, not money
	Burst             int
	MaxInFlight       int
}

// Throttle is safe for concurrent use.
type Throttle struct {
	limiter  *rate.Limiter
	inFlight chan struct{}
}

// New returns a Throttle for the limits.
func New(l Limits) *Throttle {
	t := &Throttle{}
	if l.RequestsPerSecond > 0 {
		burst := l.Burst
		if burst < 1 {
			burst = 1
		}
		t.limiter = rate.NewLimiter(rate.Limit(l.RequestsPerSecond), burst)
	}
	if l.MaxInFlight > 0 {
		t.inFlight = make(chan struct{}, l.MaxInFlight)
	}
	return t
}

// Acquire waits for an in-flight slot and a rate token, in that order so that waiting for a slot does
// not waste tokens. The returned release must be called when the request (body included) is done.
// When ctx ends it returns ctx's error; when the rate limit would make the wait outlast ctx's
// deadline (the limiter refuses such a wait at once) it returns a Transient RateLimited failure,
// whichever adapter asked.
func (t *Throttle) Acquire(ctx context.Context) (release func(), err error) {
	release = func() {}
	if t.inFlight != nil {
		select {
		case t.inFlight <- struct{}{}:
			release = func() { <-t.inFlight }
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if t.limiter != nil {
		if err := t.limiter.Wait(ctx); err != nil {
			release()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &failure.Error{Kind: failure.Transient, Reason: failure.ReasonRateLimited,
				Message: "the connection's rate limit would delay this request past its deadline", Err: err}
		}
	}
	return release, nil
}
