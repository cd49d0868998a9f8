package worker

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
)

// host is the running worker's state between the engine, the flow and the configuration source.
type host struct {
	flow     Flow
	eng      *engine.Engine
	conns    *Connections
	mappers  *Mappers
	secrets  *webhookSecrets
	reporter Reporter
	log      logr.Logger

	mu            sync.Mutex
	lastSync      time.Time
	lastSuccess   time.Time
	lastProcessed int64
	rate          failureRate
	handledReplay string
	handledResync string
}

// loop follows configuration changes and publishes reports until ctx ends or the spec changes.
func (h *host) loop(ctx context.Context, src Source, generation int64, every time.Duration) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	h.report(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-src.Changed():
			snap := src.Snapshot()
			if snap.Complete() != nil {
				continue // a reference vanished; keep running with what we have, the operator reports it
			}
			if snap.Flow.Generation != generation {
				h.log.Info("Restarting to apply a changed SyncFlow spec", "generation", snap.Flow.Generation)
				return ErrConfigurationChanged
			}
			if err := h.conns.Update(ctx, snap); err != nil {
				h.log.Error(err, "Updating connections failed")
			}
			h.mappers.Update(snap)
			h.secrets.update(snap)
			h.handleRequests(ctx, snap.Flow)
			h.report(ctx)
		case <-ticker.C:
			h.report(ctx)
		}
	}
}

// pollLoop runs the flow's backstop poll on the interval (and once at start).
func (h *host) pollLoop(ctx context.Context, interval time.Duration) {
	for {
		if err := h.flow.Poll(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			h.log.Error(err, "Polling the source failed; the next poll retries")
		} else {
			h.mu.Lock()
			h.lastSync = time.Now()
			h.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// handleRequests acts on the request annotations once per token value: GitOps re-applying the same
// value does nothing, and the handled value goes to status for all to see.
func (h *host) handleRequests(ctx context.Context, f *v1alpha1.SyncFlow) {
	if token := f.Annotations[v1alpha1.AnnotationReplayAt]; token != "" && token != h.handled(&h.handledReplay) {
		filter := parseReplayFilter(f.Annotations[v1alpha1.AnnotationReplayFilter])
		total := 0
		for _, flt := range filter {
			n, err := h.eng.Replay(ctx, flt)
			if err != nil {
				h.log.Error(err, "Replaying dead letters failed; the next change retries", "token", token)
				return
			}
			total += n
		}
		h.log.Info("Replayed dead letters on request", "token", token, "count", total)
		h.setHandled(&h.handledReplay, token)
	}
	if token := f.Annotations[v1alpha1.AnnotationResyncAt]; token != "" && token != h.handled(&h.handledResync) {
		if err := h.flow.Resync(ctx); err != nil {
			h.log.Error(err, "Resync failed; the next change retries", "token", token)
			return
		}
		h.log.Info("Resynced on request", "token", token)
		h.setHandled(&h.handledResync, token)
	}
}

func (h *host) handled(p *string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return *p
}

func (h *host) setHandled(p *string, v string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*p = v
}

// parseReplayFilter reads retailsync.io/replay-filter: empty for all dead letters, "reason=Unmapped",
// or "correlationIDs=id1,id2".
func parseReplayFilter(v string) []store.DeadLetterFilter {
	key, value, _ := strings.Cut(strings.TrimSpace(v), "=")
	switch strings.TrimSpace(key) {
	case "reason":
		return []store.DeadLetterFilter{{Reason: failure.Reason(strings.TrimSpace(value))}}
	case "correlationIDs", "correlationID":
		var out []store.DeadLetterFilter
		for _, id := range strings.Split(value, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, store.DeadLetterFilter{CorrelationID: id})
			}
		}
		return out
	default:
		return []store.DeadLetterFilter{{}}
	}
}

// report publishes the status fields the worker owns.
func (h *host) report(ctx context.Context) {
	r, err := h.eng.Report(ctx)
	if err != nil {
		h.log.Error(err, "Reading the engine's report failed")
		return
	}
	h.mu.Lock()
	if r.Processed > h.lastProcessed {
		h.lastSuccess = r.At
	}
	h.lastProcessed = r.Processed
	p := Progress{
		Now: r.At, LastSyncTime: h.lastSync, LastSuccessTime: h.lastSuccess,
		FailurePercent:  h.rate.observe(r.At, r.Processed, r.Failed),
		HandledReplayAt: h.handledReplay, HandledResyncAt: h.handledResync,
		WebhookSecretTime: h.secrets.currentRotatedAt(),
	}
	h.mu.Unlock()
	if problem := h.conns.Problem(); problem != "" && r.LastFailure == nil {
		r.LastFailure = &engine.Failure{At: r.At, Reason: failure.ReasonUnauthorized, Message: problem}
	}
	if err := h.reporter.Report(ctx, statusOf(r, p)); err != nil && ctx.Err() == nil {
		h.log.Error(err, "Publishing status failed")
	}
}
