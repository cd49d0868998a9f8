package engine

import (
	"context"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
)

// work runs one job: breaker admission, the handler, then what its outcome means for the job.
func (e *Engine) work(ctx context.Context, job *Job) error {
	r, ok := e.routes[job.Kind]
	if !ok {
		// Only a deployment that dropped a handler gets here; replay after it is back.
		err := failure.Permanentf(failure.ReasonInternal, "no handler registered for kind %q", job.Kind)
		return e.deadLetter(job, err, true)
	}
	// The slot bounds calls to the target; the job's database work happens outside it, so the target
	// stays busy while finished jobs commit.
	release, err := e.slots[r.target].Acquire(ctx)
	if err != nil {
		return store.Snooze(0) // shutting down
	}
	br := e.breakers[r.target]
	wait, probe := br.admit(time.Now())
	if wait > 0 {
		release()
		return store.Snooze(wait)
	}

	log := e.log.WithValues("correlationId", job.CorrelationID, "kind", job.Kind, "resource", job.Resource,
		"version", job.Version, "attempt", job.Attempt)
	ctx = logr.NewContext(withCorrelationID(ctx, job.CorrelationID), log)
	err = callHandler(ctx, r.handler, job)
	release()
	if err == nil {
		br.success()
		e.processed.Add(1)
		e.metrics.processed.WithLabelValues(job.Kind, r.target).Inc()
		e.observeLatency(job, r.target)
		return nil
	}

	fe := failure.Classify(err)
	if fe == nil {
		// Cancelled by shutdown: not the target's fault. Run again after restart, attempt unspent.
		br.abandon(probe)
		return store.Snooze(0)
	}
	e.failed.Add(1)
	e.metrics.failed.WithLabelValues(r.target, string(fe.Reason)).Inc()
	e.noteFailure(job, r.target, fe)
	if fe.Kind == failure.Permanent {
		// The change is at fault, not the target: it answered, or was never asked.
		br.success()
		log.Error(err, "Dead-lettered a change that cannot succeed as is", "reason", fe.Reason)
		return e.deadLetter(job, err, true)
	}
	if br.failure(time.Now(), probe) {
		log.Info("Held a change back: its target is still failing", "reason", fe.Reason, "error", err.Error())
		return store.Snooze(e.cfg.Breaker.Cooldown)
	}
	if job.Attempt >= job.MaxAttempts {
		log.Error(err, "Dead-lettered a change that ran out of attempts", "reason", fe.Reason)
		return e.deadLetter(job, err, false)
	}
	e.retried.Add(1)
	e.metrics.retried.WithLabelValues(r.target).Inc()
	log.Info("Scheduled a retry", "reason", fe.Reason, "error", err.Error())
	if fe.RetryAfter > 0 {
		return store.Retry(time.Now().Add(fe.RetryAfter), err)
	}
	return err
}

// callHandler turns a handler's panic into a permanent failure: a bug fails the same way every time,
// so the change waits in the dead letters for the fix instead of crashing the worker.
func callHandler(ctx context.Context, h Handler, job *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = failure.Permanentf(failure.ReasonInternal, "handler panicked: %v", p)
		}
	}()
	return h(ctx, job)
}

func (e *Engine) deadLetter(job *Job, err error, permanent bool) error {
	reason := failure.ReasonOf(err)
	e.deadLettered.Add(1)
	e.metrics.deadLettered.WithLabelValues(job.Target, string(reason)).Inc()
	return store.ToDeadLetters(reason, permanent, err)
}

// maxExemplarID keeps exemplars within Prometheus's 128-rune limit for exemplar labels.
const maxExemplarID = 64

func (e *Engine) observeLatency(job *Job, target string) {
	seconds := time.Since(job.SourceChangedAt).Seconds()
	obs := e.metrics.latency.WithLabelValues(target)
	if ex, ok := obs.(prometheus.ExemplarObserver); ok && len(job.CorrelationID) <= maxExemplarID {
		ex.ObserveWithExemplar(seconds, prometheus.Labels{"correlation_id": job.CorrelationID})
		return
	}
	obs.Observe(seconds)
}

// Failure is the last failure the engine saw, for the report.
type Failure struct {
	At            time.Time
	Target        string
	Reason        failure.Reason
	Message       string
	CorrelationID string
}

func (e *Engine) noteFailure(job *Job, target string, fe *failure.Error) {
	f := &Failure{At: time.Now(), Target: target, Reason: fe.Reason, Message: fe.Error(),
		CorrelationID: job.CorrelationID}
	e.mu.Lock()
	e.lastFailure = f
	e.mu.Unlock()
}
