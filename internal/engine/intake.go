package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
)

// Change is a source change at intake.
type Change struct {
	// Kind picks the registered handler, and so the target.
	Kind string
	// Resource identifies the source record ("order/1234"); its changes never run at once.
	Resource string
	// Version orders the resource's changes (e.g. modification time in microseconds): a version not
	// newer than one already enqueued collapses, so duplicates and late arrivals do nothing.
	Version         int64
	SourceChangedAt time.Time
	// CorrelationID follows the change to the target document; Enqueue assigns one when empty.
	CorrelationID string
	Payload       json.RawMessage
}

// Enqueue queues changes durably and says which of them became jobs (the rest collapsed).
func (e *Engine) Enqueue(ctx context.Context, changes ...Change) (store.Enqueued, error) {
	return e.enqueue(ctx, nil, changes)
}

// EnqueueAndAdvance queues changes and moves cursor in the same transaction: a poller that crashes
// after it either finds the changes queued and the cursor moved, or neither.
func (e *Engine) EnqueueAndAdvance(ctx context.Context, cursor store.Cursor, changes ...Change) (store.Enqueued, error) {
	return e.enqueue(ctx, &cursor, changes)
}

func (e *Engine) enqueue(ctx context.Context, cursor *store.Cursor, changes []Change) (store.Enqueued, error) {
	jobs := make([]store.Change, len(changes))
	for i, c := range changes {
		r, ok := e.routes[c.Kind]
		if !ok {
			return nil, fmt.Errorf("engine: no handler registered for kind %q", c.Kind)
		}
		if c.CorrelationID == "" {
			c.CorrelationID = NewCorrelationID()
		}
		jobs[i] = store.Change{
			Kind: c.Kind, Target: r.target, Resource: c.Resource, Version: c.Version,
			SourceChangedAt: c.SourceChangedAt, CorrelationID: c.CorrelationID, Payload: c.Payload,
			MaxAttempts: e.cfg.Retry.MaxAttempts,
		}
	}
	return e.store.Enqueue(ctx, jobs, cursor)
}

// NewCorrelationID returns a random id for a change entering the system.
func NewCorrelationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

type correlationKey struct{}

func withCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the correlation id of the change a handler is working on, "" outside one.
// Handlers put it on the target document (a remark or custom field) and in outgoing requests.
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}

// DecodePayload decodes a job's payload strictly. Bad input is a Permanent MalformedPayload failure:
// retrying cannot fix it, so the change goes to the dead letters with the payload kept for inspection.
func DecodePayload[T any](job *Job) (T, error) {
	var v T
	if len(job.Payload) == 0 {
		return v, failure.Permanentf(failure.ReasonMalformedPayload, "change %s has no payload", job.Resource)
	}
	dec := json.NewDecoder(bytes.NewReader(job.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, failure.Permanentf(failure.ReasonMalformedPayload, "change %s: %v", job.Resource, err)
	}
	if dec.More() {
		return v, failure.Permanentf(failure.ReasonMalformedPayload, "change %s: data after the payload", job.Resource)
	}
	return v, nil
}
