package engine_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/store/storetest"
)

// benchTarget is a target with a fixed latency per call and a cap on concurrent calls, so its
// throughput bound is limit/latency. With latency 0 it is a no-op target. It measures how long its
// calls really take: a Go timer fires up to a millisecond late (the runtime sleeps in whole
// milliseconds), which at 20 ms is a 4% slower target than the nominal one.
type benchTarget struct {
	latency time.Duration
	slots   chan struct{}
	done    atomic.Int64
	busy    atomic.Int64 // nanoseconds spent inside calls, summed over calls
}

func (b *benchTarget) handle(ctx context.Context, job *engine.Job) error {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	began := time.Now()
	defer func() {
		b.busy.Add(int64(time.Since(began)))
		<-b.slots
	}()
	if b.latency > 0 {
		select {
		case <-time.After(b.latency): // the remote's answer time
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b.done.Add(1)
	return nil
}

// BenchmarkEngine reports changes per second through the engine, intake and completion included,
// with a no-op target and with a target of fixed latency and concurrency limit. For the latter it
// reports the throughput as a percentage of the target's bound, limit calls at a time each taking
// as long as the target's calls really took on average (%bound; the goal is >= 95: the engine is
// never the bottleneck, the target is kept busy), that mean call time (ms/call), and the percentage
// of the nominal bound, limit/latency (%nominal), which also charges the engine with the target's
// timer lateness. Run: go test -run '^$' -bench . -benchtime 2000x ./internal/engine/
func BenchmarkEngine(b *testing.B) {
	targets := []struct {
		name    string
		latency time.Duration
		limit   int
	}{
		{"noop", 0, 16},
		{"latency=50ms,limit=8", 50 * time.Millisecond, 8},
		{"latency=20ms,limit=8", 20 * time.Millisecond, 8},
	}
	for _, driver := range storetest.Drivers() {
		for _, tc := range targets {
			b.Run(fmt.Sprintf("%s/%s", driver, tc.name), func(b *testing.B) {
				tgt := &benchTarget{latency: tc.latency, slots: make(chan struct{}, tc.limit)}
				cfg := fastConfig()
				cfg.MaxInFlight = tc.limit
				cfg.ReportInterval = time.Minute
				e, err := engine.New(storetest.Open(b, driver), cfg, logr.Discard(), prometheus.NewRegistry())
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Register("order", target, tgt.handle); err != nil {
					b.Fatal(err)
				}
				if err := e.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer e.Stop(context.Background())
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)

				b.ReportAllocs()
				b.ResetTimer()
				began := time.Now()
				go func() {
					const page = 200
					for i := 0; i < b.N; i += page {
						var batch []engine.Change
						for j := i; j < min(i+page, b.N); j++ {
							batch = append(batch, change("order", fmt.Sprintf("order/%d", j), 1))
						}
						if _, err := e.Enqueue(context.Background(), batch...); err != nil {
							b.Error(err)
							return
						}
					}
				}()
				tick := time.NewTicker(time.Millisecond)
				defer tick.Stop()
				for tgt.done.Load() < int64(b.N) && !b.Failed() {
					<-tick.C
				}
				elapsed := time.Since(began)
				b.StopTimer()

				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				perSecond := float64(b.N) / elapsed.Seconds()
				b.ReportMetric(perSecond, "jobs/s")
				if tc.latency > 0 {
					perCall := time.Duration(tgt.busy.Load() / int64(b.N))
					bound := float64(tc.limit) / perCall.Seconds()
					nominal := float64(tc.limit) / tc.latency.Seconds()
					b.ReportMetric(100*perSecond/bound, "%bound")
					b.ReportMetric(float64(perCall)/float64(time.Millisecond), "ms/call")
					b.ReportMetric(100*perSecond/nominal, "%nominal")
				}
				b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MiB")
			})
		}
	}
}
