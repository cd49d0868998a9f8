package throttle

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
)

func TestInFlightCapHolds(t *testing.T) {
	th := New(Limits{MaxInFlight: 3})
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{}, 10)
	for range 10 {
		wg.Go(func() {
			done, err := th.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			inFlight.Add(-1)
			done()
		})
	}
	// Exactly three get in while nobody releases.
	for range 3 {
		<-started
	}
	select {
	case <-started:
		t.Fatal("a fourth request got a slot while three were in flight")
	default:
	}
	close(release)
	wg.Wait()
	if peak.Load() != 3 {
		t.Fatalf("peak in flight = %d, want 3", peak.Load())
	}
}

func TestAcquireHonoursCancellation(t *testing.T) {
	th := New(Limits{MaxInFlight: 1})
	release, err := th.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := th.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestRateWaitFailsFastWhenDeadlineIsTooClose(t *testing.T) {
	// One request per hour with a burst of one: the second cannot be served before the deadline,
	// and the limiter says so at once instead of sleeping.
	th := New(Limits{RequestsPerSecond: 1.0 / 3600, Burst: 1})
	release, err := th.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	release()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = th.Acquire(ctx)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Kind != failure.Transient || fe.Reason != failure.ReasonRateLimited {
		t.Fatalf("second request within the hour: %v, want a transient RateLimited failure", err)
	}
}

func TestZeroLimitsMeanNoLimit(t *testing.T) {
	th := New(Limits{})
	for range 1000 {
		release, err := th.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
}
