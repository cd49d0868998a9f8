package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/store/storetest"
)

const target = "erpnext"

// forEachDriver runs the suite body once per store driver.
func forEachDriver(t *testing.T, body func(t *testing.T, driver string)) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) { body(t, d) })
	}
}

// fastConfig keeps tests quick: short backoff and cooldown, fast polling.
func fastConfig() engine.Config {
	return engine.Config{
		Retry:             engine.RetryPolicy{MaxAttempts: 5, InitialBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
		Breaker:           engine.BreakerPolicy{FailureThreshold: 3, Cooldown: 300 * time.Millisecond},
		MaxInFlight:       4,
		FetchPollInterval: 20 * time.Millisecond,
		ReportInterval:    50 * time.Millisecond,
	}
}

// logSink records every log line so tests can assert nothing alarming was logged.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		l.lines = append(l.lines, prefix+" "+args)
		l.mu.Unlock()
	}, funcr.Options{Verbosity: 1})
}

func (l *logSink) matching(words ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return out
}

// harness is a started engine on a fresh store.
type harness struct {
	engine   *engine.Engine
	store    *store.Store
	registry *prometheus.Registry
	logs     *logSink
}

func start(t *testing.T, st *store.Store, cfg engine.Config, handlers map[string]engine.Handler) *harness {
	t.Helper()
	h := &harness{store: st, registry: prometheus.NewRegistry(), logs: &logSink{}}
	e, err := engine.New(st, cfg, h.logs.logger(), h.registry)
	if err != nil {
		t.Fatal(err)
	}
	for kind, handler := range handlers {
		if err := e.Register(kind, target, handler); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop engine: %v", err)
		}
	})
	h.engine = e
	return h
}

func (h *harness) report(t *testing.T) engine.Report {
	t.Helper()
	r, err := h.engine.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (h *harness) enqueue(t *testing.T, changes ...engine.Change) store.Enqueued {
	t.Helper()
	res, err := h.engine.Enqueue(context.Background(), changes...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func change(kind, resource string, version int64) engine.Change {
	return engine.Change{Kind: kind, Resource: resource, Version: version,
		SourceChangedAt: time.Now(), Payload: []byte(fmt.Sprintf(`{"resource":%q}`, resource))}
}

// fakeTarget stands in for an ERP: it applies each (resource, version) once, like a target that
// looks a document up by its external id before creating it, and counts every call, so tests see
// both the effects and the duplicates. It also notices two calls for one resource at once.
type fakeTarget struct {
	mu       sync.Mutex
	calls    map[string]int // "resource@version" -> calls
	applied  []string       // keys in the order they took effect
	running  map[string]bool
	overlaps int
	callAt   []time.Time
	// fault, when set, decides the answer to a call (nil: success).
	fault func(job *engine.Job) error
}

func newFakeTarget() *fakeTarget {
	return &fakeTarget{calls: map[string]int{}, running: map[string]bool{}}
}

func key(resource string, version int64) string { return fmt.Sprintf("%s@%d", resource, version) }

func (f *fakeTarget) handle(ctx context.Context, job *engine.Job) error {
	f.mu.Lock()
	if f.running[job.Resource] {
		f.overlaps++
	}
	f.running[job.Resource] = true
	f.callAt = append(f.callAt, time.Now())
	fault := f.fault
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running[job.Resource] = false
		f.mu.Unlock()
	}()
	if fault != nil {
		if err := fault(job); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key(job.Resource, job.Version)
	f.calls[k]++
	if f.calls[k] == 1 {
		f.applied = append(f.applied, k)
	}
	job.RecordResult(job.Resource, "SO-"+k)
	return nil
}

func (f *fakeTarget) setFault(fault func(job *engine.Job) error) {
	f.mu.Lock()
	f.fault = fault
	f.mu.Unlock()
}

func (f *fakeTarget) appliedKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.applied...)
}

func (f *fakeTarget) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.callAt)
}

func prometheusRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

// metric returns the value of the counter or gauge series name whose label has value.
func (h *harness) metric(t *testing.T, name, label, value string) float64 {
	t.Helper()
	families, err := h.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
	}
	return 0
}

// jsonEqual compares JSON documents by meaning: PostgreSQL's jsonb does not keep the original spacing.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %s", a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return reflect.DeepEqual(va, vb)
}
