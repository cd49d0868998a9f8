package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

type pgxTx = pgx.Tx

// backend hides River's transaction type parameter so the rest of the store is written once.
type backend interface {
	inTx(ctx context.Context, fn func(tx txn) error) error
	start(ctx context.Context, cfg RunConfig) error
	stop(ctx context.Context) error
	close()
}

// txn is one open transaction: the store's own SQL plus the River operations bound to it.
type txn interface {
	querier
	insertJobs(ctx context.Context, changes []Change) error
	retryJob(ctx context.Context, id int64) error
	completeJob(ctx context.Context, job *Job) error
}

type riverBackend[TDriver riverdriver.Driver[TTx], TTx any] struct {
	store    *Store
	driver   TDriver
	begin    func(context.Context) (TTx, error)
	wrap     func(TTx) querier
	commit   func(context.Context, TTx) error
	rollback func(context.Context, TTx) error
	closeDB  func()

	// client is set by start; it both inserts and works, and stays nil until then.
	client atomic.Pointer[river.Client[TTx]]
}

func (b *riverBackend[TDriver, TTx]) migrate(ctx context.Context) error {
	m, err := rivermigrate.New[TTx](b.driver, nil)
	if err != nil {
		return fmt.Errorf("store: river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: migrate river tables: %w", err)
	}
	return nil
}

func (b *riverBackend[TDriver, TTx]) close() { b.closeDB() }

type riverTxn[TDriver riverdriver.Driver[TTx], TTx any] struct {
	querier
	b  *riverBackend[TDriver, TTx]
	tx TTx
}

func (b *riverBackend[TDriver, TTx]) inTx(ctx context.Context, fn func(tx txn) error) error {
	tx, err := b.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(&riverTxn[TDriver, TTx]{querier: b.wrap(tx), b: b, tx: tx}); err != nil {
		// The rollback error adds nothing: the transaction is abandoned either way.
		_ = b.rollback(context.WithoutCancel(ctx), tx)
		return err
	}
	if err := b.commit(ctx, tx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func (t *riverTxn[TDriver, TTx]) insertJobs(ctx context.Context, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	client, err := t.b.clientFor()
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(changes))
	for i, c := range changes {
		params[i] = river.InsertManyParams{
			Args: argsOf(c),
			InsertOpts: &river.InsertOpts{
				Queue:       c.Target,
				MaxAttempts: c.MaxAttempts,
			},
		}
	}
	if _, err := client.InsertManyTx(ctx, t.tx, params); err != nil {
		return fmt.Errorf("store: insert jobs: %w", err)
	}
	return nil
}

func (t *riverTxn[TDriver, TTx]) retryJob(ctx context.Context, id int64) error {
	client, err := t.b.clientFor()
	if err != nil {
		return err
	}
	if _, err := client.JobRetryTx(ctx, t.tx, id); err != nil {
		return fmt.Errorf("store: retry job %d: %w", id, err)
	}
	return nil
}

func (t *riverTxn[TDriver, TTx]) completeJob(ctx context.Context, job *Job) error {
	rj, ok := job.row.(*river.Job[jobArgs])
	if !ok {
		return errors.New("store: job was not fetched by this store's worker")
	}
	if _, err := river.JobCompleteTx[TDriver](ctx, t.tx, rj); err != nil {
		return fmt.Errorf("store: complete job %d: %w", job.ID, err)
	}
	return nil
}

// ErrNotStarted is returned by operations that need the queue before Start.
var ErrNotStarted = errors.New("store: queue not started")

func (b *riverBackend[TDriver, TTx]) clientFor() (*river.Client[TTx], error) {
	if c := b.client.Load(); c != nil {
		return c, nil
	}
	return nil, ErrNotStarted
}

// RunConfig configures the working queue.
type RunConfig struct {
	// Targets maps each target (a River queue) to the number of its jobs that may run at once.
	Targets map[string]int
	// Work runs one job. It returns nil to complete the job with what the job recorded, or an error
	// built with Snooze, Retry or ToDeadLetters; any other error is retried with Backoff.
	Work func(ctx context.Context, job *Job) error
	// Backoff is the wait before retry number attempt (1-based).
	Backoff func(attempt int) time.Duration
	// MaxAttempts is the default for changes that do not set theirs.
	MaxAttempts int
	// FetchCooldown is the shortest time between two fetches; River's 100 ms default caps a queue at
	// roughly 10 fetches a second.
	FetchCooldown time.Duration
	// FetchPollInterval is how often an idle queue looks for work (SQLite has no LISTEN/NOTIFY).
	FetchPollInterval time.Duration
	// JobTimeout bounds one attempt.
	JobTimeout time.Duration
	// RescueAfter is when a job left running by a crashed process is made available again.
	RescueAfter time.Duration
	// DeadLetterRetention is how long dead letters are kept; 0 keeps them until replayed.
	DeadLetterRetention time.Duration
	Logger              *slog.Logger
}

// Start builds the River client and starts working. It is called once.
func (s *Store) Start(ctx context.Context, cfg RunConfig) error { return s.backend.start(ctx, cfg) }

// Stop waits for running jobs to finish (their outcome is recorded) until ctx ends, then cancels
// those still running; a cancelled job is snoozed, not failed, so it runs again after restart.
func (s *Store) Stop(ctx context.Context) error { return s.backend.stop(ctx) }

func (b *riverBackend[TDriver, TTx]) start(ctx context.Context, cfg RunConfig) error {
	if b.client.Load() != nil {
		return errors.New("store: already started")
	}
	if cfg.Work == nil || cfg.Backoff == nil || len(cfg.Targets) == 0 {
		return errors.New("store: RunConfig needs Work, Backoff and at least one target")
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &riverWorker{store: b.store, work: cfg.Work}); err != nil {
		return fmt.Errorf("store: register worker: %w", err)
	}
	queues := make(map[string]river.QueueConfig, len(cfg.Targets))
	for target, n := range cfg.Targets {
		queues[target] = river.QueueConfig{MaxWorkers: n}
	}
	retention := time.Duration(-1) // River reads -1 as "keep forever"
	if cfg.DeadLetterRetention > 0 {
		retention = cfg.DeadLetterRetention
	}
	client, err := river.NewClient[TTx](b.driver, &river.Config{
		Queues:                      queues,
		Workers:                     workers,
		MaxAttempts:                 cfg.MaxAttempts,
		RetryPolicy:                 &retryPolicy{schedule: b.store.retries, backoff: cfg.Backoff},
		FetchCooldown:               cfg.FetchCooldown,
		FetchPollInterval:           cfg.FetchPollInterval,
		JobTimeout:                  cfg.JobTimeout,
		RescueStuckJobsAfter:        cfg.RescueAfter,
		CancelledJobRetentionPeriod: retention,
		DiscardedJobRetentionPeriod: retention,
		Logger:                      cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("store: river client: %w", err)
	}
	b.client.Store(client)
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("store: start river: %w", err)
	}
	return nil
}

func (b *riverBackend[TDriver, TTx]) stop(ctx context.Context) error {
	client := b.client.Load()
	if client == nil {
		return nil
	}
	// Whatever happens next, this client is done: a later Start builds a new one.
	defer b.client.Store(nil)
	err := client.Stop(ctx)
	if err == nil {
		return nil
	}
	// Soft stop ran out of time: cancel what still runs and wait for River to record it.
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := client.StopAndCancel(cancelCtx); cerr != nil {
		return fmt.Errorf("store: stop: %w", errors.Join(err, cerr))
	}
	return nil
}

// riverWorker is the single River worker: every change shares one job kind and is dispatched by the
// Kind in its args, so flows register handlers without River types.
type riverWorker struct {
	river.WorkerDefaults[jobArgs]
	store *Store
	work  func(ctx context.Context, job *Job) error
}

func (w *riverWorker) Work(ctx context.Context, rj *river.Job[jobArgs]) error {
	return w.store.execute(ctx, jobOf(rj), w.work)
}

// retryPolicy schedules retries with the engine's backoff, or later when the remote asked to wait.
type retryPolicy struct {
	schedule *retrySchedule
	backoff  func(attempt int) time.Duration
}

func (p *retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	next := time.Now().Add(p.backoff(job.Attempt))
	if at, ok := p.schedule.take(job.ID); ok && at.After(next) {
		return at
	}
	return next
}
