package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/store/storetest"
)

// The crash test runs the engine in a child process (this test binary, re-executed) and kills it
// with SIGKILL halfway through. These variables carry the child's instructions.
const (
	crashChildEnv  = "RETAILSYNC_CRASH_CHILD"
	crashDriverEnv = "RETAILSYNC_CRASH_DRIVER"
	crashPathEnv   = "RETAILSYNC_CRASH_PATH"
	crashDSNEnv    = "RETAILSYNC_CRASH_DSN"
	crashTargetEnv = "RETAILSYNC_CRASH_TARGET"
	crashChanges   = 2000
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) == "1" {
		if err := runCrashChild(); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashConfig makes a killed worker's jobs come back quickly: River rescues jobs left running for
// longer than RescueAfter once the new process wins leadership (the dead leader's lease lasts ~15s).
func crashConfig() engine.Config {
	cfg := fastConfig()
	cfg.JobTimeout = 500 * time.Millisecond
	cfg.RescueAfter = time.Second
	cfg.MaxInFlight = 8
	return cfg
}

// httpTargetHandler writes a change to the counting target over HTTP, as a real adapter would.
func httpTargetHandler(url string) engine.Handler {
	client := &http.Client{Timeout: 400 * time.Millisecond}
	return func(ctx context.Context, job *engine.Job) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/effects?key="+key(job.Resource, job.Version), nil)
		if err != nil {
			return failure.Permanentf(failure.ReasonInternal, "build request: %v", err)
		}
		req.Header.Set("X-Correlation-ID", engine.CorrelationID(ctx))
		resp, err := client.Do(req)
		if err != nil {
			return failure.Classify(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return failure.FromHTTP("CountingTarget", resp.StatusCode, resp.Header, "", "refused", time.Now())
		}
		return nil
	}
}

func runCrashChild() error {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: os.Getenv(crashDriverEnv), Path: os.Getenv(crashPathEnv),
		DSN: os.Getenv(crashDSNEnv)})
	if err != nil {
		return err
	}
	e, err := engine.New(st, crashConfig(), logr.Discard(), prometheus.NewRegistry())
	if err != nil {
		return err
	}
	url := os.Getenv(crashTargetEnv)
	if err := e.Register("order", target, httpTargetHandler(url)); err != nil {
		return err
	}
	if err := e.Start(ctx); err != nil {
		return err
	}
	for i := 0; i < crashChanges; i += 100 {
		var batch []engine.Change
		for j := i; j < i+100; j++ {
			c := change("order", fmt.Sprintf("order/%d", j), 1)
			c.CorrelationID = fmt.Sprintf("crash-%d", j)
			batch = append(batch, c)
		}
		if _, err := e.Enqueue(ctx, batch...); err != nil {
			return err
		}
	}
	resp, err := http.Post(url+"/enqueued", "text/plain", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	select {} // work until killed
}

// countingTarget is the fake target over HTTP: it keeps every call per key, so a lost change (no
// call) and a repeated one (two calls) both show.
type countingTarget struct {
	mu       sync.Mutex
	calls    map[string]int
	enqueued bool
}

func (c *countingTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch r.URL.Path {
	case "/enqueued":
		c.enqueued = true
	case "/effects":
		c.calls[r.URL.Query().Get("key")]++
	default:
		http.NotFound(w, r)
	}
}

func (c *countingTarget) snapshot() (calls map[string]int, enqueued bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls = make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		calls[k] = v
	}
	return calls, c.enqueued
}

func TestSIGKILLMidRunLosesAndRepeatsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test waits for River's leader lease to expire")
	}
	forEachDriver(t, func(t *testing.T, driver string) {
		cfg := storetest.Config(t, driver)
		tgt := &countingTarget{calls: map[string]int{}}
		srv := httptest.NewServer(tgt)
		defer srv.Close()

		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		child := exec.Command(exe, "-test.run=^$")
		var stderr bytes.Buffer
		child.Stderr = &stderr
		child.Env = append(os.Environ(), crashChildEnv+"=1", crashDriverEnv+"="+cfg.Driver,
			crashPathEnv+"="+cfg.Path, crashDSNEnv+"="+cfg.DSN, crashTargetEnv+"="+srv.URL)
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		storetest.Eventually(t, "the child has enqueued everything and a fifth is written", func() bool {
			calls, enqueued := tgt.snapshot()
			return enqueued && len(calls) >= crashChanges/5
		})
		if err := child.Process.Kill(); err != nil { // SIGKILL: no deferred code, no graceful stop
			t.Fatal(err)
		}
		_ = child.Wait() // reports the kill
		atKill, _ := tgt.snapshot()
		if len(atKill) == crashChanges {
			t.Fatalf("the child finished before it was killed; the test proves nothing (stderr: %s)", stderr.String())
		}

		// Restart on the same database: everything left must be written, once.
		st, err := store.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		h := start(t, st, crashConfig(), map[string]engine.Handler{"order": httpTargetHandler(srv.URL)})
		storetest.Eventually(t, "every change is written after the restart", func() bool {
			calls, _ := tgt.snapshot()
			return len(calls) == crashChanges
		})
		storetest.Eventually(t, "the backlog is empty", func() bool { return h.report(t).Backlog == 0 })

		calls, _ := tgt.snapshot()
		repeats := 0
		for i := range crashChanges {
			n := calls[key(fmt.Sprintf("order/%d", i), 1)]
			if n == 0 {
				t.Errorf("order/%d was never written", i)
			}
			repeats += n - 1
		}
		// Only a change held by a worker at the kill (calling the target, or committing after the call)
		// can be written again, and the target's idempotency absorbs it; every completed one committed
		// with its job. The engine runs two workers per target slot.
		t.Logf("killed after %d of %d writes; %d repeated after restart", len(atKill), crashChanges, repeats)
		if limit := 2 * crashConfig().MaxInFlight; repeats > limit {
			t.Errorf("%d repeated writes after the crash, want at most %d (held by workers at the kill)", repeats, limit)
		}
		for i := range crashChanges {
			trail, err := st.Audit(context.Background(), fmt.Sprintf("crash-%d", i))
			if err != nil {
				t.Fatal(err)
			}
			synced := 0
			for _, e := range trail {
				if e.Outcome == store.OutcomeSynced {
					synced++
				}
			}
			if synced != 1 {
				t.Errorf("crash-%d has %d Synced audit entries, want 1", i, synced)
			}
		}
		if r := h.report(t); len(r.DeadLetters) != 0 {
			t.Errorf("dead letters after the crash: %+v", r.DeadLetters)
		}
	})
}
