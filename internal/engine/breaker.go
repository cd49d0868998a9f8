package engine

import (
	"math/rand/v2"
	"sync"
	"time"
)

// BreakerState is a circuit breaker's state; its numeric value is the breaker_state metric.
type BreakerState int

const (
	BreakerClosed   BreakerState = 0
	BreakerHalfOpen BreakerState = 1
	BreakerOpen     BreakerState = 2
)

func (s BreakerState) String() string {
	switch s {
	case BreakerOpen:
		return "Open"
	case BreakerHalfOpen:
		return "HalfOpen"
	default:
		return "Closed"
	}
}

// breaker guards one target. After FailureThreshold transient failures in a row it opens: jobs for
// the target are held back (snoozed, no attempt spent) until Cooldown passes; then one job probes the
// target. A probe that succeeds closes the breaker; one that fails opens it for another Cooldown, and
// its attempt is not spent either, so a long maintenance window dead-letters nothing.
type breaker struct {
	threshold int
	cooldown  time.Duration
	onChange  func(BreakerState)

	mu        sync.Mutex
	state     BreakerState
	failures  int
	openUntil time.Time
}

func newBreaker(threshold int, cooldown time.Duration, onChange func(BreakerState)) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, onChange: onChange}
}

// admit says whether a job may call the target now. When it may not, wait is how long to hold the job;
// probe is true for the one job that tests a target whose cooldown is over.
func (b *breaker) admit(now time.Time) (wait time.Duration, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerClosed:
		return 0, false
	case BreakerOpen:
		if now.Before(b.openUntil) {
			return b.spread(b.openUntil.Sub(now)), false
		}
		b.set(BreakerHalfOpen)
		return 0, true
	default: // half-open: a probe is out; check back after a fraction of the cooldown
		return b.spread(b.cooldown / 2), false
	}
}

// spread adds up to a quarter of jitter so held jobs do not return all at once.
func (b *breaker) spread(d time.Duration) time.Duration {
	return d + rand.N(d/4+1)
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	b.set(BreakerClosed)
}

// failure records a transient failure and reports whether the job's attempt should be spared: true
// for a failed probe, whose job is held back like the others.
func (b *breaker) failure(now time.Time, probe bool) (spare bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.open(now)
		return true
	}
	if b.state != BreakerClosed {
		return false // in flight when the breaker opened; counts as a normal failure
	}
	b.failures++
	if b.failures >= b.threshold {
		b.open(now)
	}
	return false
}

// abandon gives up a probe that ended without an answer (shutdown), so the next job probes instead.
func (b *breaker) abandon(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerHalfOpen {
		b.openUntil = time.Time{}
		b.set(BreakerOpen)
	}
}

func (b *breaker) open(now time.Time) {
	b.openUntil = now.Add(b.cooldown)
	b.set(BreakerOpen)
}

func (b *breaker) set(s BreakerState) {
	if b.state != s {
		b.state = s
		b.onChange(s)
	}
}

func (b *breaker) current() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}
