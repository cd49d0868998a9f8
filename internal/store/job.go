package store

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
)

// jobArgs is what River stores for every change. One River kind serves all changes; ChangeKind picks
// the handler.
type jobArgs struct {
	ChangeKind      string          `json:"kind"`
	Resource        string          `json:"resource"`
	Version         int64           `json:"version"`
	CorrelationID   string          `json:"correlation_id"`
	SourceChangedAt time.Time       `json:"source_changed_at"`
	Payload         json.RawMessage `json:"payload,omitempty"`
}

// riverKind is the one River job kind the store inserts and works.
const riverKind = "retailsync_change"

func (jobArgs) Kind() string { return riverKind }

func argsOf(c Change) jobArgs {
	return jobArgs{
		ChangeKind:      c.Kind,
		Resource:        c.Resource,
		Version:         c.Version,
		CorrelationID:   c.CorrelationID,
		SourceChangedAt: c.SourceChangedAt.UTC(),
		Payload:         c.Payload,
	}
}

// Job is one attempt at carrying a change to its target. A handler reads it and records what it did
// with RecordResult and RecordXref; the store writes those in the transaction that completes the job.
type Job struct {
	ID              int64
	Kind            string
	Target          string
	Resource        string
	Version         int64
	CorrelationID   string
	SourceChangedAt time.Time
	Payload         json.RawMessage
	// Attempt counts from 1; a snooze does not count.
	Attempt     int
	MaxAttempts int

	row       any // *river.Job[jobArgs], needed to complete the job in a transaction
	sourceRef string
	targetRef string
	xrefs     []xref
}

type xref struct{ namespace, sourceRef, targetRef string }

func jobOf(rj *river.Job[jobArgs]) *Job {
	return &Job{
		ID:              rj.ID,
		Kind:            rj.Args.ChangeKind,
		Target:          rj.Queue,
		Resource:        rj.Args.Resource,
		Version:         rj.Args.Version,
		CorrelationID:   rj.Args.CorrelationID,
		SourceChangedAt: rj.Args.SourceChangedAt,
		Payload:         rj.Args.Payload,
		Attempt:         rj.Attempt,
		MaxAttempts:     rj.MaxAttempts,
		row:             rj,
	}
}

// RecordResult names the source record read and the target document written, for the audit trail.
func (j *Job) RecordResult(sourceRef, targetRef string) {
	j.sourceRef, j.targetRef = sourceRef, targetRef
}

// RecordXref caches the target reference for a source reference (e.g. WooCommerce order 42 is
// ERPNext Sales Order SO-0007) in namespace ("erpnext/sales-order").
func (j *Job) RecordXref(namespace, sourceRef, targetRef string) {
	j.xrefs = append(j.xrefs, xref{namespace, sourceRef, targetRef})
}
