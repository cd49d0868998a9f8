package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
)

// DeadLetter is a change that stopped being tried, with why and what it carried.
type DeadLetter struct {
	JobID         int64
	Kind          string
	Target        string
	Resource      string
	Version       int64
	CorrelationID string
	Reason        failure.Reason
	// Permanent is false when the change ran out of attempts on transient failures.
	Permanent bool
	Message   string
	Attempts  int
	DeadAt    time.Time
	Payload   json.RawMessage
}

// DeadLetterFilter selects dead letters; empty fields match everything.
type DeadLetterFilter struct {
	Reason        failure.Reason
	CorrelationID string
	// Limit caps how many are returned or replayed; 0 means all.
	Limit int
}

// where renders the filter. Only dead letters whose River job is still cancelled count: a replayed
// job leaves that state in the same transaction that removes its row.
func (f DeadLetterFilter) where() (string, []any) {
	clauses := []string{"j.state = 'cancelled'"}
	var args []any
	if f.Reason != "" {
		args = append(args, string(f.Reason))
		clauses = append(clauses, fmt.Sprintf("d.reason = $%d", len(args)))
	}
	if f.CorrelationID != "" {
		args = append(args, f.CorrelationID)
		clauses = append(clauses, fmt.Sprintf("d.correlation_id = $%d", len(args)))
	}
	return " FROM rs_dead_letter d JOIN river_job j ON j.id = d.job_id WHERE " + strings.Join(clauses, " AND "), args
}

func (f DeadLetterFilter) limit() string {
	if f.Limit > 0 {
		return fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return ""
}

// DeadLetters lists dead letters, oldest first.
func (s *Store) DeadLetters(ctx context.Context, f DeadLetterFilter) ([]DeadLetter, error) {
	return listDeadLetters(ctx, s.db, f)
}

func listDeadLetters(ctx context.Context, q querier, f DeadLetterFilter) ([]DeadLetter, error) {
	where, args := f.where()
	var out []DeadLetter
	err := queryRows(ctx, q, func(r rows) error {
		var (
			dl      DeadLetter
			reason  string
			deadAt  int64
			payload string
		)
		if err := r.Scan(&dl.JobID, &dl.Kind, &dl.Target, &dl.Resource, &dl.Version, &dl.CorrelationID,
			&reason, &dl.Permanent, &dl.Message, &dl.Attempts, &deadAt, &payload); err != nil {
			return err
		}
		dl.Reason, dl.DeadAt = failure.Reason(reason), time.UnixMicro(deadAt)
		if payload != "" {
			dl.Payload = json.RawMessage(payload)
		}
		out = append(out, dl)
		return nil
	}, `SELECT d.job_id, d.kind, d.target, d.resource, d.version, d.correlation_id, d.reason, d.permanent,
			d.message, d.attempts, d.dead_at, d.payload`+where+` ORDER BY d.dead_at, d.job_id`+f.limit(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list dead letters: %w", err)
	}
	return out, nil
}

// Replay sends the selected dead letters back to the queue, in one transaction, and returns how many.
// A replayed change whose resource has since been synced at a newer version is skipped as stale when
// it runs, so replay never overwrites newer data.
func (s *Store) Replay(ctx context.Context, f DeadLetterFilter) (int, error) {
	n := 0
	err := s.backend.inTx(ctx, func(tx txn) error {
		letters, err := listDeadLetters(ctx, tx, f)
		if err != nil {
			return err
		}
		for _, dl := range letters {
			if err := tx.retryJob(ctx, dl.JobID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM rs_dead_letter WHERE job_id = $1`, dl.JobID); err != nil {
				return fmt.Errorf("store: remove replayed dead letter %d: %w", dl.JobID, err)
			}
			job := &Job{ID: dl.JobID, Kind: dl.Kind, Resource: dl.Resource, Version: dl.Version,
				CorrelationID: dl.CorrelationID}
			if err := audit(ctx, tx, job, OutcomeReplayed, dl.Reason); err != nil {
				return err
			}
		}
		n = len(letters)
		return nil
	})
	return n, err
}

// DeadLetterGroup summarises the dead letters of one reason.
type DeadLetterGroup struct {
	Reason failure.Reason
	Count  int64
	Oldest time.Time
}

// Summary is the store's part of the worker's report.
type Summary struct {
	// Backlog counts jobs not finished: waiting, scheduled for retry, or running.
	Backlog int64
	// OldestUnsynced is when the oldest source change not yet in the target happened; zero when
	// caught up. Dead-lettered changes count: they are not in the target.
	OldestUnsynced time.Time
	DeadLetters    []DeadLetterGroup
}

// Summary reads backlog, the oldest unsynced change and dead letters by reason.
func (s *Store) Summary(ctx context.Context) (Summary, error) {
	var sum Summary
	if err := queryRows(ctx, s.db, func(r rows) error { return r.Scan(&sum.Backlog) },
		`SELECT count(*) FROM river_job WHERE kind = $1
			AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, riverKind); err != nil {
		return sum, fmt.Errorf("store: count backlog: %w", err)
	}
	var oldest *int64
	if err := queryRows(ctx, s.db, func(r rows) error { return r.Scan(&oldest) },
		`SELECT MIN(pending_since) FROM rs_resource`); err != nil {
		return sum, fmt.Errorf("store: find oldest unsynced change: %w", err)
	}
	if oldest != nil {
		sum.OldestUnsynced = time.UnixMicro(*oldest)
	}
	where, args := DeadLetterFilter{}.where()
	if err := queryRows(ctx, s.db, func(r rows) error {
		var (
			g      DeadLetterGroup
			reason string
			at     int64
		)
		if err := r.Scan(&reason, &g.Count, &at); err != nil {
			return err
		}
		g.Reason, g.Oldest = failure.Reason(reason), time.UnixMicro(at)
		sum.DeadLetters = append(sum.DeadLetters, g)
		return nil
	}, `SELECT d.reason, count(*), MIN(d.dead_at)`+where+` GROUP BY d.reason ORDER BY d.reason`, args...); err != nil {
		return sum, fmt.Errorf("store: summarise dead letters: %w", err)
	}
	return sum, nil
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	JobID         int64
	At            time.Time
	CorrelationID string
	Kind          string
	Resource      string
	Version       int64
	SourceRef     string
	TargetRef     string
	Outcome       Outcome
	Reason        failure.Reason
}

// Audit returns the audit trail of one correlation id, oldest first.
func (s *Store) Audit(ctx context.Context, correlationID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := queryRows(ctx, s.db, func(r rows) error {
		var (
			e               AuditEntry
			at              int64
			outcome, reason string
		)
		if err := r.Scan(&e.JobID, &at, &e.CorrelationID, &e.Kind, &e.Resource, &e.Version, &e.SourceRef,
			&e.TargetRef, &outcome, &reason); err != nil {
			return err
		}
		e.At, e.Outcome, e.Reason = time.UnixMicro(at), Outcome(outcome), failure.Reason(reason)
		out = append(out, e)
		return nil
	}, `SELECT job_id, at, correlation_id, kind, resource, version, source_ref, target_ref, outcome, reason
		FROM rs_audit WHERE correlation_id = $1 ORDER BY at, job_id`, correlationID)
	if err != nil {
		return nil, fmt.Errorf("store: read audit trail: %w", err)
	}
	return out, nil
}

// PruneAudit deletes audit entries older than before and returns how many went.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.db.exec(ctx, `DELETE FROM rs_audit WHERE at < $1`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("store: prune audit trail: %w", err)
	}
	return n, nil
}

// PruneDeadLetters forgets dead letters older than before, as River drops their jobs after
// RunConfig.DeadLetterRetention. Their resources stay unsynced, and lag keeps saying so.
func (s *Store) PruneDeadLetters(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.db.exec(ctx, `DELETE FROM rs_dead_letter WHERE dead_at < $1`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("store: prune dead letters: %w", err)
	}
	return n, nil
}
