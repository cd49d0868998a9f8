package worker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// ErrConfigurationChanged ends a worker whose SyncFlow spec changed in a way that needs a new engine
// (retry policy, breaker, store). The pod (or the local runtime) starts it again with the new spec;
// the durable store carries everything across.
var ErrConfigurationChanged = errors.New("the SyncFlow spec changed; restarting to apply it")

// Source is where the worker's configuration comes from.
type Source interface {
	Snapshot() Snapshot
	Changed() <-chan struct{}
}

// Reporter publishes the worker's status fields.
type Reporter interface {
	Report(ctx context.Context, status map[string]any) error
}

// Endpoints are the addresses the worker serves on.
type Endpoints struct {
	Webhook, Health, Metrics string
}

// Options configure one worker.
type Options struct {
	Source   Source
	Reporter Reporter
	Flows    map[v1alpha1.FlowKind]FlowFactory
	Probers  map[v1alpha1.System]Prober
	// DataDir holds the embedded store's file.
	DataDir string
	// PostgresDSN is used when the flow's store is PostgreSQL (from the pod's environment).
	PostgresDSN string
	// Bind addresses; ":0" style addresses pick a free port.
	WebhookAddr, HealthAddr, MetricsAddr string
	// ReportInterval is how often status is published (default 5s).
	ReportInterval time.Duration
	// Ready is called once the worker serves, with its addresses (the local runtime routes to them).
	Ready func(Endpoints)
	Log   logr.Logger
}

// Run hosts the flow until ctx ends, then shuts down gracefully: intake stops, running jobs finish
// (or are cancelled and run again after a restart), and a last report is published.
func Run(ctx context.Context, opts Options) error {
	if opts.ReportInterval <= 0 {
		opts.ReportInterval = 5 * time.Second
	}
	log := opts.Log
	health := newHealth()
	healthLn, err := net.Listen("tcp", opts.HealthAddr)
	if err != nil {
		return fmt.Errorf("health listener: %w", err)
	}
	// The servers outlive ctx until the shutdown below has published its last report; every way out
	// of Run stops them and waits for them.
	serveCtx, stopServing := context.WithCancel(context.WithoutCancel(ctx))
	var servers sync.WaitGroup
	defer servers.Wait()
	defer stopServing()
	serve(serveCtx, &servers, healthLn, health.handler(), log)

	snap, err := waitForConfiguration(ctx, opts.Source, log)
	if err != nil {
		return err
	}
	flowSpec := snap.Flow.Spec
	generation := snap.Flow.Generation

	conns := NewConnections(opts.Probers, log)
	if err := conns.Update(ctx, snap); err != nil {
		return err
	}
	mappers := &Mappers{}
	mappers.Update(snap)
	if mappers.Get() == nil {
		return fmt.Errorf("cannot start: %s", mappers.Problem())
	}

	st, err := openStore(ctx, snap.Flow, opts)
	if err != nil {
		return err
	}
	defer st.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	eng, err := engine.New(st, engineConfig(snap), log, reg)
	if err != nil {
		return err
	}
	factory := opts.Flows[flowSpec.Flow]
	if factory == nil {
		return fmt.Errorf("this worker does not run %s flows", flowSpec.Flow)
	}
	flow, err := factory(FlowDeps{
		Spec: flowSpec, Engine: eng, Records: st, Log: log,
		Store: conns.Store, ERP: conns.ERP, Mapper: mappers.Get,
	})
	if err != nil {
		return err
	}
	if err := flow.Register(); err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}

	secrets := &webhookSecrets{}
	secrets.update(snap)
	receiver := woocommerce.NewReceiver(secrets, flow, woocommerce.DefaultMaxWebhookBody, log.WithName("webhooks"))
	webhookLn, err := net.Listen("tcp", opts.WebhookAddr)
	if err != nil {
		return fmt.Errorf("webhook listener: %w", err)
	}
	metricsLn, err := net.Listen("tcp", opts.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	serve(serveCtx, &servers, webhookLn, receiver, log)
	serve(serveCtx, &servers, metricsLn, metricsHandler(reg, eng), log)
	health.setReady(true)
	if opts.Ready != nil {
		opts.Ready(Endpoints{Webhook: webhookLn.Addr().String(), Health: healthLn.Addr().String(), Metrics: metricsLn.Addr().String()})
	}
	log.Info("Started worker", "flow", flowSpec.Flow, "webhooks", webhookLn.Addr().String(), "metrics", metricsLn.Addr().String())

	h := &host{flow: flow, eng: eng, conns: conns, mappers: mappers, secrets: secrets, reporter: opts.Reporter, log: log,
		handledReplay: snap.Flow.Status.LastHandledReplayAt, handledResync: snap.Flow.Status.LastHandledResyncAt}
	pollCtx, stopPolling := context.WithCancel(ctx)
	var polling sync.WaitGroup
	polling.Go(func() { h.pollLoop(pollCtx, durationOf(flowSpec.Trigger.PollInterval, 5*time.Minute)) })

	runErr := h.loop(ctx, opts.Source, generation, opts.ReportInterval)

	// Shutdown: no new intake, then let running jobs finish.
	health.setReady(false)
	stopPolling()
	polling.Wait()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 25*time.Second)
	defer cancel()
	if err := eng.Stop(stopCtx); err != nil {
		log.Error(err, "Stopping the engine did not finish cleanly")
	}
	h.report(stopCtx)
	stopServing()
	servers.Wait()
	return runErr
}

// waitForConfiguration blocks until the source has everything the flow needs.
func waitForConfiguration(ctx context.Context, src Source, log logr.Logger) (Snapshot, error) {
	for {
		snap := src.Snapshot()
		err := snap.Complete()
		if err == nil {
			return snap, nil
		}
		log.Info("Waiting for configuration", "missing", err.Error())
		select {
		case <-ctx.Done():
			return Snapshot{}, fmt.Errorf("stopped before the configuration was complete: %w", err)
		case <-src.Changed():
		}
	}
}

func openStore(ctx context.Context, flow *v1alpha1.SyncFlow, opts Options) (*store.Store, error) {
	if s := flow.Spec.Worker.Store; s != nil && s.Type == v1alpha1.StorePostgreSQL {
		if opts.PostgresDSN == "" {
			return nil, fmt.Errorf("the flow uses the PostgreSQL store but %s is empty", workerpod.EnvPostgresDSN)
		}
		return store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: opts.PostgresDSN})
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	return store.Open(ctx, store.Config{Driver: store.DriverSQLite, Path: filepath.Join(opts.DataDir, "store.db")})
}

// engineConfig maps the SyncFlow's policies onto the engine.
func engineConfig(snap Snapshot) engine.Config {
	f := snap.Flow.Spec
	cfg := engine.Config{
		Retry: engine.RetryPolicy{
			MaxAttempts:    int(f.Retry.MaxAttempts),
			InitialBackoff: durationOf(f.Retry.InitialBackoff, 0),
			MaxBackoff:     durationOf(f.Retry.MaxBackoff, 0),
		},
		Breaker: engine.BreakerPolicy{
			FailureThreshold: int(f.CircuitBreaker.FailureThreshold),
			Cooldown:         durationOf(f.CircuitBreaker.Cooldown, 0),
		},
		MaxInFlight:         int(snap.Target.Spec.RateLimit.MaxInFlight),
		DeadLetterRetention: durationOf(f.DeadLetter.Retention, 0),
	}
	return cfg
}

func durationOf(d *metav1.Duration, fallback time.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return fallback
	}
	return d.Duration
}
