package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/retailsync/retailsync/internal/failure"
)

// Outcome is what happened to a change, as the audit trail records it.
type Outcome string

const (
	// OutcomeSynced: the target now reflects this version.
	OutcomeSynced Outcome = "Synced"
	// OutcomeSuperseded: a newer version of the resource was enqueued; that job carries it.
	OutcomeSuperseded Outcome = "Superseded"
	// OutcomeStale: the target already reflects this version or a newer one.
	OutcomeStale Outcome = "Stale"
	// OutcomeDeadLettered: the change waits for a person; see its dead letter.
	OutcomeDeadLettered Outcome = "DeadLettered"
	// OutcomeReplayed: a person sent the dead letter back to the queue.
	OutcomeReplayed Outcome = "Replayed"
)

// directive is how Work tells the store what to do with a job that did not complete.
type directive struct {
	snooze    time.Duration
	snoozed   bool
	retryAt   time.Time
	dead      bool
	reason    failure.Reason
	permanent bool
	err       error
}

func (d *directive) Error() string {
	if d.err == nil {
		return fmt.Sprintf("snoozed for %s", d.snooze)
	}
	return d.err.Error()
}

func (d *directive) Unwrap() error { return d.err }

// Snooze puts the job back for d without spending an attempt (a breaker holding work back).
func Snooze(d time.Duration) error { return &directive{snooze: max(d, 0), snoozed: true} }

// Retry spends the attempt and asks for the next one no earlier than at (a remote's Retry-After).
func Retry(at time.Time, err error) error { return &directive{retryAt: at, err: err} }

// ToDeadLetters stops trying: the job keeps its payload and waits for Replay.
func ToDeadLetters(reason failure.Reason, permanent bool, err error) error {
	return &directive{dead: true, reason: reason, permanent: permanent, err: err}
}

// completionTimeout bounds the transaction that records a finished job. It runs even when the job's
// context was cancelled by shutdown: the target call already happened, and recording it now avoids
// a needless (idempotent) repeat after restart.
const completionTimeout = 30 * time.Second

func (s *Store) execute(ctx context.Context, job *Job, work func(context.Context, *Job) error) error {
	err := s.run(ctx, job, work)
	var (
		snooze *river.JobSnoozeError
		cancel *river.JobCancelError
	)
	if err == nil || job.Attempt < job.MaxAttempts || errors.As(err, &snooze) || errors.As(err, &cancel) {
		return err
	}
	// The last attempt failed with a plain error (Work's retry, or the database itself): River would
	// discard the job, out of sight of DeadLetters and Replay. Keep it as a dead letter instead.
	d := &directive{dead: true, reason: failure.ReasonOf(err), err: err}
	if rerr := s.recordDeadLetter(ctx, job, d); rerr != nil {
		return err
	}
	return river.JobCancel(err)
}

func (s *Store) run(ctx context.Context, job *Job, work func(context.Context, *Job) error) error {
	unlock, err := s.locks.Lock(ctx, job.Resource)
	if err != nil {
		return river.JobSnooze(0) // shutting down while waiting: try again after restart, attempt unspent
	}
	defer unlock()

	outcome, err := s.currency(ctx, job)
	if err != nil {
		return err
	}
	if outcome == OutcomeSynced {
		err := work(ctx, job)
		var d *directive
		switch {
		case err == nil:
		case errors.As(err, &d) && d.snoozed:
			return river.JobSnooze(d.snooze)
		case errors.As(err, &d) && d.dead:
			if err := s.recordDeadLetter(ctx, job, d); err != nil {
				return err // retried; the dead letter is recorded on the next attempt
			}
			return river.JobCancel(d.err)
		case errors.As(err, &d):
			s.retries.set(job.ID, d.retryAt)
			return d.err
		default:
			return err
		}
	}
	done, cancel := context.WithTimeout(context.WithoutCancel(ctx), completionTimeout)
	defer cancel()
	return s.complete(done, job, outcome)
}

// currency tells whether the job still carries news: OutcomeSynced means run it.
func (s *Store) currency(ctx context.Context, job *Job) (Outcome, error) {
	var enqueued, applied int64
	err := queryRows(ctx, s.db, func(r rows) error { return r.Scan(&enqueued, &applied) },
		`SELECT enqueued_version, applied_version FROM rs_resource WHERE resource = $1`, job.Resource)
	switch {
	case err != nil:
		return "", fmt.Errorf("store: read versions of %s: %w", job.Resource, err)
	case applied >= job.Version:
		return OutcomeStale, nil
	case enqueued > job.Version:
		return OutcomeSuperseded, nil
	}
	return OutcomeSynced, nil
}

func (s *Store) complete(ctx context.Context, job *Job, outcome Outcome) error {
	return s.backend.inTx(ctx, func(tx txn) error {
		if outcome == OutcomeSynced {
			if _, err := tx.exec(ctx, `UPDATE rs_resource SET applied_version = $2,
					pending_since = CASE WHEN enqueued_version <= $2 THEN NULL ELSE enqueued_changed_at END
				WHERE resource = $1 AND applied_version < $2`, job.Resource, job.Version); err != nil {
				return fmt.Errorf("store: record applied version of %s: %w", job.Resource, err)
			}
			// Dead letters for this version or older are moot once it is in the target.
			if _, err := tx.exec(ctx, `DELETE FROM rs_dead_letter WHERE resource = $1 AND version <= $2`,
				job.Resource, job.Version); err != nil {
				return fmt.Errorf("store: resolve dead letters of %s: %w", job.Resource, err)
			}
		}
		now := time.Now().UnixMicro()
		for _, x := range job.xrefs {
			if _, err := tx.exec(ctx, `INSERT INTO rs_xref (namespace, source_ref, target_ref, updated_at)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (namespace, source_ref) DO UPDATE SET target_ref = excluded.target_ref,
					updated_at = excluded.updated_at`, x.namespace, x.sourceRef, x.targetRef, now); err != nil {
				return fmt.Errorf("store: record cross-reference: %w", err)
			}
		}
		if err := audit(ctx, tx, job, outcome, ""); err != nil {
			return err
		}
		return tx.completeJob(ctx, job)
	})
}

// maxMessageLen keeps one bad answer from bloating the dead-letter table.
const maxMessageLen = 2000

func (s *Store) recordDeadLetter(ctx context.Context, job *Job, d *directive) error {
	msg := ""
	if d.err != nil {
		msg = d.err.Error()
	}
	if len(msg) > maxMessageLen {
		msg = msg[:maxMessageLen]
	}
	return s.backend.inTx(ctx, func(tx txn) error {
		if _, err := tx.exec(ctx, `INSERT INTO rs_dead_letter (job_id, kind, target, resource, version,
				correlation_id, reason, permanent, message, attempts, dead_at, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (job_id) DO UPDATE SET reason = excluded.reason, permanent = excluded.permanent,
				message = excluded.message, attempts = excluded.attempts, dead_at = excluded.dead_at`,
			job.ID, job.Kind, job.Target, job.Resource, job.Version, job.CorrelationID, string(d.reason),
			d.permanent, msg, job.Attempt, time.Now().UnixMicro(), string(job.Payload)); err != nil {
			return fmt.Errorf("store: record dead letter for job %d: %w", job.ID, err)
		}
		return audit(ctx, tx, job, OutcomeDeadLettered, d.reason)
	})
}

func audit(ctx context.Context, tx querier, job *Job, outcome Outcome, reason failure.Reason) error {
	if _, err := tx.exec(ctx, `INSERT INTO rs_audit (job_id, at, correlation_id, kind, resource, version,
			source_ref, target_ref, outcome, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		job.ID, time.Now().UnixMicro(), job.CorrelationID, job.Kind, job.Resource, job.Version,
		job.sourceRef, job.targetRef, string(outcome), string(reason)); err != nil {
		return fmt.Errorf("store: write audit for job %d: %w", job.ID, err)
	}
	return nil
}
