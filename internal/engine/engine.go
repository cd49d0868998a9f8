// Package engine carries changes from intake to their targets without losing, duplicating or silently
// dropping any: durable jobs in internal/store, retries with backoff and jitter, a circuit breaker per
// target, typed dead letters with replay, correlation ids, Prometheus metrics and a report for the
// SyncFlow's status. It has no Kubernetes imports; flows register a Handler per kind of change.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/throttle"
)

// Job is one attempt at a change, as a Handler sees it.
type Job = store.Job

// Handler writes one change to its target, idempotently: it may run again for the same version after a
// crash. It returns nil when the target has the change, or an error classified with internal/failure
// (unclassified errors count as Transient). It records references with job.RecordResult and
// job.RecordXref; they commit with the job. ctx carries the correlation id (CorrelationID) and a
// logger with it (logr.FromContextOrDiscard).
type Handler func(ctx context.Context, job *Job) error

// RetryPolicy bounds the tries of a change with transient failures.
type RetryPolicy struct {
	// MaxAttempts before a change is dead-lettered (default 10).
	MaxAttempts int
	// InitialBackoff is the wait after the first failure (default 1s); it doubles each attempt, with
	// jitter, up to MaxBackoff (default 10m). A remote's Retry-After wins when longer.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// BreakerPolicy configures the circuit breaker of each target.
type BreakerPolicy struct {
	// FailureThreshold is the number of transient failures in a row that opens it (default 5).
	FailureThreshold int
	// Cooldown is how long it holds work back before probing (default 30s).
	Cooldown time.Duration
}

// Config tunes the engine; zero values take the defaults documented on each field.
type Config struct {
	Retry   RetryPolicy
	Breaker BreakerPolicy
	// MaxInFlight bounds the changes written to one target at once (default 4), unless
	// TargetMaxInFlight names the target.
	MaxInFlight       int
	TargetMaxInFlight map[string]int
	// DeadLetterRetention is how long dead letters are kept; 0 keeps them until replayed.
	DeadLetterRetention time.Duration
	// FetchCooldown is the shortest gap between two fetches of a target's queue (default 10ms).
	FetchCooldown time.Duration
	// FetchPollInterval is how often an idle queue looks for work (default 100ms).
	FetchPollInterval time.Duration
	// JobTimeout bounds one attempt (default 1m).
	JobTimeout time.Duration
	// RescueAfter is when a job left running by a crashed worker is tried again (default
	// JobTimeout + 1m; River's default is an hour).
	RescueAfter time.Duration
	// ReportInterval is how often backlog, lag and dead-letter gauges are refreshed (default 5s).
	ReportInterval time.Duration
	// AuditRetention is how long audit entries are kept (default 90 days).
	AuditRetention time.Duration
}

func (c Config) withDefaults() Config {
	or := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	if c.Retry.MaxAttempts <= 0 {
		c.Retry.MaxAttempts = 10
	}
	c.Retry.InitialBackoff = or(c.Retry.InitialBackoff, time.Second)
	c.Retry.MaxBackoff = or(c.Retry.MaxBackoff, 10*time.Minute)
	if c.Breaker.FailureThreshold <= 0 {
		c.Breaker.FailureThreshold = 5
	}
	c.Breaker.Cooldown = or(c.Breaker.Cooldown, 30*time.Second)
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 4
	}
	c.FetchCooldown = or(c.FetchCooldown, 10*time.Millisecond)
	c.FetchPollInterval = or(c.FetchPollInterval, 100*time.Millisecond)
	c.JobTimeout = or(c.JobTimeout, time.Minute)
	c.RescueAfter = or(c.RescueAfter, c.JobTimeout+time.Minute)
	c.ReportInterval = or(c.ReportInterval, 5*time.Second)
	c.AuditRetention = or(c.AuditRetention, 90*24*time.Hour)
	return c
}

// backoff returns the wait before the next try after attempt failures: exponential with "equal
// jitter" (half fixed, half random) so a burst of failures does not come back as a burst.
func (c Config) backoff(attempt int) time.Duration {
	d := c.Retry.InitialBackoff
	for i := 1; i < attempt && d < c.Retry.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.Retry.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// Engine runs changes through their handlers. Register handlers, Start, Enqueue; Stop on shutdown.
type Engine struct {
	store   *store.Store
	cfg     Config
	log     logr.Logger
	metrics *metrics

	mu          sync.Mutex
	routes      map[string]route
	breakers    map[string]*breaker
	slots       map[string]*throttle.Throttle
	lastFailure *Failure
	started     bool
	stopReports context.CancelFunc
	reportsDone chan struct{}

	processed, failed, retried, deadLettered atomic.Int64
}

type route struct {
	target  string
	handler Handler
}

// New returns an engine over st. Metrics register on reg.
func New(st *store.Store, cfg Config, log logr.Logger, reg prometheus.Registerer) (*Engine, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("engine: register metrics: %w", err)
	}
	return &Engine{
		store:    st,
		cfg:      cfg.withDefaults(),
		log:      log,
		metrics:  m,
		routes:   make(map[string]route),
		breakers: make(map[string]*breaker),
		slots:    make(map[string]*throttle.Throttle),
	}, nil
}

// targetName must be a valid River queue name, since each target is one.
var targetName = regexp.MustCompile(`^[a-z0-9]+(?:[_-][a-z0-9]+)*$`)

// Register routes changes of kind to handler, which writes to target. Call before Start.
func (e *Engine) Register(kind, target string, handler Handler) error {
	if kind == "" || handler == nil {
		return errors.New("engine: Register needs a kind and a handler")
	}
	if len(target) > 64 || !targetName.MatchString(target) {
		return fmt.Errorf("engine: target %q must be lower-case letters and digits joined by - or _", target)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return errors.New("engine: Register after Start")
	}
	if _, dup := e.routes[kind]; dup {
		return fmt.Errorf("engine: kind %q registered twice", kind)
	}
	e.routes[kind] = route{target: target, handler: handler}
	if _, ok := e.breakers[target]; !ok {
		gauge := e.metrics.breaker.WithLabelValues(target)
		e.breakers[target] = newBreaker(e.cfg.Breaker.FailureThreshold, e.cfg.Breaker.Cooldown,
			func(s BreakerState) {
				gauge.Set(float64(s))
				e.log.Info("Changed circuit breaker state", "target", target, "state", s.String())
			})
	}
	return nil
}

// Start begins working registered kinds.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return errors.New("engine: already started")
	}
	if len(e.routes) == 0 {
		return errors.New("engine: no handlers registered")
	}
	targets := make(map[string]int, len(e.breakers))
	for target := range e.breakers {
		n := e.cfg.MaxInFlight
		if v, ok := e.cfg.TargetMaxInFlight[target]; ok && v > 0 {
			n = v
		}
		e.slots[target] = throttle.New(throttle.Limits{MaxInFlight: n})
		// Twice as many River workers as target slots: while n jobs call the target, the others
		// fetch, check versions and commit, so the engine is not what limits throughput.
		targets[target] = 2 * n
	}
	err := e.store.Start(ctx, store.RunConfig{
		Targets:             targets,
		Work:                e.work,
		Backoff:             e.cfg.backoff,
		MaxAttempts:         e.cfg.Retry.MaxAttempts,
		FetchCooldown:       e.cfg.FetchCooldown,
		FetchPollInterval:   e.cfg.FetchPollInterval,
		JobTimeout:          e.cfg.JobTimeout,
		RescueAfter:         e.cfg.RescueAfter,
		DeadLetterRetention: e.cfg.DeadLetterRetention,
		// River logs its own lifecycle; only its warnings and errors belong in the worker's log.
		Logger: slog.New(logr.ToSlogHandler(e.log.WithName("river").V(1))),
	})
	if err != nil {
		return err
	}
	e.started = true
	reportCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.stopReports, e.reportsDone = cancel, make(chan struct{})
	go e.refreshGauges(reportCtx)
	return nil
}

// Stop lets running jobs finish until ctx ends, then cancels them; cancelled jobs run again after
// restart without spending an attempt. Nothing in flight is lost either way.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	started := e.started
	e.started = false
	e.mu.Unlock()
	if !started {
		return nil
	}
	e.stopReports()
	<-e.reportsDone
	return e.store.Stop(ctx)
}

// pruneInterval is how often retention is applied. Retention periods run in hours and days; a
// DELETE every report interval (seconds) would only compete with jobs for the store.
const pruneInterval = 10 * time.Minute

func (e *Engine) refreshGauges(ctx context.Context) {
	defer close(e.reportsDone)
	t := time.NewTicker(e.cfg.ReportInterval)
	defer t.Stop()
	var pruned time.Time
	for {
		if _, err := e.Report(ctx); err != nil && ctx.Err() == nil {
			e.log.Error(err, "Failed to refresh the engine report")
		}
		if time.Since(pruned) >= pruneInterval {
			e.prune(ctx)
			pruned = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// prune applies the retention periods to the store's own tables (River prunes its jobs itself).
func (e *Engine) prune(ctx context.Context) {
	now := time.Now()
	if _, err := e.store.PruneAudit(ctx, now.Add(-e.cfg.AuditRetention)); err != nil && ctx.Err() == nil {
		e.log.Error(err, "Failed to prune the audit trail")
	}
	if e.cfg.DeadLetterRetention <= 0 {
		return
	}
	if _, err := e.store.PruneDeadLetters(ctx, now.Add(-e.cfg.DeadLetterRetention)); err != nil && ctx.Err() == nil {
		e.log.Error(err, "Failed to prune dead letters")
	}
}
