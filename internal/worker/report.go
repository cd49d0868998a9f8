package worker

import (
	"sort"
	"time"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/store"
)

// maxDeadLetterReasons bounds status.deadLetterSummary (the schema's maxItems).
const maxDeadLetterReasons = 20

// failureWindow is the span status.failurePercent is computed over: long enough that one failed
// attempt among few does not flap the flow, short enough that a recovered target reads healthy
// again within a minute or so.
const failureWindow = time.Minute

// Progress is what the host adds to the engine's report.
type Progress struct {
	Now             time.Time
	LastSyncTime    time.Time // the last completed poll of the source
	LastSuccessTime time.Time // when a change last reached the target
	FailurePercent  *int32
	// HandledReplayAt and HandledResyncAt echo the request annotations already acted on.
	HandledReplayAt string
	HandledResyncAt string
	// WebhookSecretTime is the rotation time of the webhook secret deliveries are verified with.
	WebhookSecretTime time.Time
}

// failureRate keeps (processed, failed) samples to compute the failure percentage over a window
// from the engine's cumulative counters.
type failureRate struct {
	samples []rateSample
}

type rateSample struct {
	at                time.Time
	processed, failed int64
}

// observe adds a sample and returns the failure percentage over the window, nil when nothing was
// attempted in it.
func (f *failureRate) observe(at time.Time, processed, failed int64) *int32 {
	f.samples = append(f.samples, rateSample{at, processed, failed})
	for len(f.samples) > 1 && at.Sub(f.samples[1].at) >= failureWindow {
		f.samples = f.samples[1:]
	}
	first := f.samples[0]
	attempts := (processed - first.processed) + (failed - first.failed)
	if attempts <= 0 {
		return nil
	}
	pct := int32((failed - first.failed) * 100 / attempts)
	return &pct
}

// statusOf renders the report as the status fields the worker owns, for server-side apply. Fields
// the operator owns (conditions, observedGeneration, worker.deployment, worker.readyReplicas) are
// never included, so the two field managers never fight.
func statusOf(r engine.Report, p Progress) map[string]any {
	lagSeconds := int64(r.Lag / time.Second)
	groups := append([]store.DeadLetterGroup(nil), r.DeadLetters...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	var deadLetters int64
	summary := make([]any, 0, min(len(groups), maxDeadLetterReasons))
	for i, g := range groups {
		deadLetters += g.Count
		if i < maxDeadLetterReasons {
			summary = append(summary, map[string]any{"reason": string(g.Reason), "count": g.Count, "oldestTime": ts(g.Oldest)})
		}
	}
	worker := map[string]any{"heartbeatTime": ts(p.Now)}
	if !p.WebhookSecretTime.IsZero() {
		worker["webhookSecretTime"] = ts(p.WebhookSecretTime)
	}
	st := map[string]any{
		"worker":            worker,
		"lag":               (time.Duration(lagSeconds) * time.Second).String(),
		"lagSeconds":        lagSeconds,
		"backlog":           r.Backlog,
		"deadLetters":       deadLetters,
		"deadLetterSummary": summary,
		"counters": map[string]any{
			"processed": r.Processed, "failed": r.Failed, "retried": r.Retried, "deadLettered": r.DeadLettered,
		},
	}
	if !p.LastSyncTime.IsZero() {
		st["lastSyncTime"] = ts(p.LastSyncTime)
	}
	if !p.LastSuccessTime.IsZero() {
		st["lastSuccessTime"] = ts(p.LastSuccessTime)
	}
	if p.FailurePercent != nil {
		st["failurePercent"] = *p.FailurePercent
	}
	if f := r.LastFailure; f != nil {
		st["lastFailure"] = map[string]any{"time": ts(f.At), "reason": string(f.Reason), "message": f.Message, "correlationID": f.CorrelationID}
	}
	if p.HandledReplayAt != "" {
		st["lastHandledReplayAt"] = p.HandledReplayAt
	}
	if p.HandledResyncAt != "" {
		st["lastHandledResyncAt"] = p.HandledResyncAt
	}
	return st
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }
