package engine

import (
	"context"
	"time"

	"github.com/retailsync/retailsync/internal/store"
)

// Report is what the worker publishes to its SyncFlow's status.
type Report struct {
	At time.Time
	// Lag is the age of the oldest source change not yet in its target; 0 when caught up.
	Lag time.Duration
	// Backlog counts jobs waiting, scheduled for retry or running.
	Backlog int64
	// Counters count since this process started.
	Processed, Failed, Retried, DeadLettered int64
	DeadLetters                              []store.DeadLetterGroup
	// LastFailure is nil until a failure happens in this process.
	LastFailure *Failure
	// Breakers is each target's circuit breaker state.
	Breakers map[string]BreakerState
}

// Report reads the engine's state and refreshes the backlog, lag and dead-letter gauges.
func (e *Engine) Report(ctx context.Context) (Report, error) {
	sum, err := e.store.Summary(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{
		At:           time.Now(),
		Backlog:      sum.Backlog,
		Processed:    e.processed.Load(),
		Failed:       e.failed.Load(),
		Retried:      e.retried.Load(),
		DeadLettered: e.deadLettered.Load(),
		DeadLetters:  sum.DeadLetters,
		Breakers:     make(map[string]BreakerState),
	}
	if !sum.OldestUnsynced.IsZero() {
		r.Lag = max(r.At.Sub(sum.OldestUnsynced), 0)
	}
	e.mu.Lock()
	if e.lastFailure != nil {
		f := *e.lastFailure
		r.LastFailure = &f
	}
	for target, b := range e.breakers {
		r.Breakers[target] = b.current()
	}
	e.mu.Unlock()

	e.metrics.backlog.Set(float64(r.Backlog))
	e.metrics.lag.Set(r.Lag.Seconds())
	e.metrics.deadLetters.Reset()
	for _, g := range r.DeadLetters {
		e.metrics.deadLetters.WithLabelValues(string(g.Reason)).Set(float64(g.Count))
	}
	return r, nil
}

// DeadLetters lists dead letters matching f, oldest first.
func (e *Engine) DeadLetters(ctx context.Context, f store.DeadLetterFilter) ([]store.DeadLetter, error) {
	return e.store.DeadLetters(ctx, f)
}

// Replay sends dead letters matching f (all, by reason, or by correlation id) back to the queue.
func (e *Engine) Replay(ctx context.Context, f store.DeadLetterFilter) (int, error) {
	n, err := e.store.Replay(ctx, f)
	if err == nil && n > 0 {
		e.log.Info("Replayed dead letters", "count", n, "reason", f.Reason, "correlationId", f.CorrelationID)
	}
	return n, err
}
