package engine

import (
	"testing"
	"time"
)

func TestBreakerHoldsWorkBackAndLetsOneProbeThrough(t *testing.T) {
	var states []BreakerState
	b := newBreaker(2, time.Minute, func(s BreakerState) { states = append(states, s) })
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

	if wait, probe := b.admit(t0); wait != 0 || probe {
		t.Fatalf("closed breaker: admit = %v, %v; want 0, false", wait, probe)
	}
	if b.failure(t0, false) || b.current() != BreakerClosed {
		t.Fatal("one failure below the threshold opened the breaker or spared the attempt")
	}
	if b.failure(t0, false) || b.current() != BreakerOpen {
		t.Fatalf("threshold reached: state %v, want Open", b.current())
	}
	if wait, _ := b.admit(t0.Add(10 * time.Second)); wait < 50*time.Second || wait > 63*time.Second {
		t.Fatalf("open breaker holds a job for %v, want the rest of the cooldown (50s) plus jitter", wait)
	}

	// After the cooldown exactly one job probes; the others wait.
	after := t0.Add(time.Minute)
	if wait, probe := b.admit(after); wait != 0 || !probe {
		t.Fatalf("after cooldown: admit = %v, %v; want a probe", wait, probe)
	}
	if wait, probe := b.admit(after); wait == 0 || probe {
		t.Fatalf("second job while probing: admit = %v, %v; want held back", wait, probe)
	}
	if !b.failure(after, true) || b.current() != BreakerOpen {
		t.Fatal("a failed probe must reopen the breaker and spare the probe's attempt")
	}

	// A probe cut short by shutdown hands probing to the next job at once.
	later := after.Add(time.Minute)
	if _, probe := b.admit(later); !probe {
		t.Fatal("no probe after the second cooldown")
	}
	b.abandon(true)
	if _, probe := b.admit(later); !probe {
		t.Fatal("an abandoned probe was not handed to the next job")
	}
	b.success()
	if b.current() != BreakerClosed {
		t.Fatalf("successful probe: state %v, want Closed", b.current())
	}
	want := []BreakerState{BreakerOpen, BreakerHalfOpen, BreakerOpen, BreakerHalfOpen, BreakerOpen, BreakerHalfOpen, BreakerClosed}
	if len(states) != len(want) {
		t.Fatalf("transitions %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("transitions %v, want %v", states, want)
		}
	}
}

func TestBackoffGrowsWithJitterAndStaysBounded(t *testing.T) {
	cfg := Config{Retry: RetryPolicy{InitialBackoff: time.Second, MaxBackoff: 10 * time.Second}}.withDefaults()
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 9: 10 * time.Second} {
		for range 50 {
			if d := cfg.backoff(attempt); d < base/2 || d > base {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, base/2, base)
			}
		}
	}
}
