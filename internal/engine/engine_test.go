package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/store/storetest"
)

func TestDuplicatesAndStaleVersionsCollapse(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		tgt := newFakeTarget()
		h := start(t, storetest.Open(t, driver), fastConfig(), map[string]engine.Handler{"order": tgt.handle})

		got := h.enqueue(t, change("order", "order/1", 2), change("order", "order/1", 2), change("order", "order/1", 1))
		if want := (store.Enqueued{true, false, false}); !slices.Equal(got, want) {
			t.Fatalf("Enqueue(v2, v2, v1) = %v, want %v", got, want)
		}
		storetest.Eventually(t, "order/1@2 is applied", func() bool { return len(tgt.appliedKeys()) == 1 })
		storetest.Eventually(t, "the backlog drains", func() bool { return h.report(t).Backlog == 0 })

		// Late arrivals after the sync collapse too: the dedup record outlives the job.
		if got := h.enqueue(t, change("order", "order/1", 1), change("order", "order/1", 2)); got.Count() != 0 {
			t.Fatalf("stale and duplicate changes after sync were enqueued: %v", got)
		}
		if got, want := tgt.appliedKeys(), []string{"order/1@2"}; !slices.Equal(got, want) {
			t.Fatalf("target applied %v, want %v", got, want)
		}
		if r := h.report(t); r.Lag != 0 || r.Processed != 1 {
			t.Fatalf("report after catching up: lag %v, processed %d; want 0 and 1", r.Lag, r.Processed)
		}
	})
}

func TestOneResourceNeverRunsConcurrentlyAndOlderVersionsAreSuperseded(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		tgt := newFakeTarget()
		entered, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		tgt.setFault(func(job *engine.Job) error {
			if job.Resource == "order/7" && job.Version == 1 {
				once.Do(func() { close(entered) })
				<-release
			}
			return nil
		})
		cfg := fastConfig()
		cfg.MaxInFlight = 8
		h := start(t, storetest.Open(t, driver), cfg, map[string]engine.Handler{"order": tgt.handle})

		h.enqueue(t, change("order", "order/7", 1))
		<-entered
		// While version 1 is being written, versions 2 and 3 arrive, and work for other orders flows.
		h.enqueue(t, change("order", "order/7", 2), change("order", "order/7", 3), change("order", "order/8", 1))
		storetest.Eventually(t, "another order is synced while order/7 is busy", func() bool {
			return slices.Contains(tgt.appliedKeys(), "order/8@1")
		})
		close(release)
		storetest.Eventually(t, "order/7@3 is applied", func() bool { return slices.Contains(tgt.appliedKeys(), "order/7@3") })
		storetest.Eventually(t, "the backlog drains", func() bool { return h.report(t).Backlog == 0 })

		if slices.Contains(tgt.appliedKeys(), "order/7@2") {
			t.Errorf("version 2 was written although version 3 superseded it: %v", tgt.appliedKeys())
		}
		tgt.mu.Lock()
		defer tgt.mu.Unlock()
		if tgt.overlaps != 0 {
			t.Errorf("%d calls for one resource overlapped", tgt.overlaps)
		}
	})
}

func TestPoisonInputIsDeadLetteredAtOnceAndReplaysAfterTheFix(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		type line struct {
			SKU string `json:"sku"`
		}
		var mu sync.Mutex
		known := map[string]bool{"TEE-S": true}
		calls := map[string]int{}
		handler := func(ctx context.Context, job *engine.Job) error {
			mu.Lock()
			defer mu.Unlock()
			calls[job.Resource]++
			if engine.CorrelationID(ctx) != job.CorrelationID {
				return fmt.Errorf("context carries correlation id %q, want %q", engine.CorrelationID(ctx), job.CorrelationID)
			}
			l, err := engine.DecodePayload[line](job)
			if err != nil {
				return err
			}
			if !known[l.SKU] {
				return failure.Permanentf(failure.ReasonUnmapped, "SKU %s has no ERP item", l.SKU)
			}
			job.RecordXref("erpnext/item", l.SKU, "ITEM-"+l.SKU)
			return nil
		}
		h := start(t, storetest.Open(t, driver), fastConfig(), map[string]engine.Handler{"line": handler})

		unmapped := engine.Change{Kind: "line", Resource: "order/9", Version: 1, SourceChangedAt: time.Now(),
			CorrelationID: "corr-unmapped", Payload: []byte(`{"sku":"HAT-L"}`)}
		garbled := engine.Change{Kind: "line", Resource: "order/10", Version: 1, SourceChangedAt: time.Now(),
			CorrelationID: "corr-garbled", Payload: []byte(`{"sku":"TEE-S","qty":"x"}`)}
		h.enqueue(t, unmapped, garbled)
		storetest.Eventually(t, "both are dead-lettered", func() bool {
			dl, err := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{})
			return err == nil && len(dl) == 2
		})

		dls, err := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{Reason: failure.ReasonUnmapped})
		if err != nil {
			t.Fatal(err)
		}
		if len(dls) != 1 {
			t.Fatalf("dead letters with reason Unmapped: %d, want 1", len(dls))
		}
		dl := dls[0]
		if dl.Resource != "order/9" || dl.CorrelationID != "corr-unmapped" || !dl.Permanent || dl.Attempts != 1 ||
			!jsonEqual(t, dl.Payload, unmapped.Payload) {
			t.Fatalf("dead letter = %+v; want order/9, corr-unmapped, permanent, 1 attempt, payload kept", dl)
		}
		r := h.report(t)
		if r.Lag <= 0 || len(r.DeadLetters) != 2 || r.LastFailure == nil {
			t.Fatalf("report = %+v; want lag > 0, two dead-letter reasons and a last failure", r)
		}
		if got := h.metric(t, "retailsync_engine_dead_lettered_total", "reason", "Unmapped"); got != 1 {
			t.Fatalf("dead_lettered_total{reason=Unmapped} = %v, want 1", got)
		}

		// The MappingSet gains the SKU; replaying by reason fixes the unmapped one only.
		mu.Lock()
		known["HAT-L"] = true
		mu.Unlock()
		n, err := h.engine.Replay(context.Background(), store.DeadLetterFilter{Reason: failure.ReasonUnmapped})
		if err != nil || n != 1 {
			t.Fatalf("Replay(Unmapped) = %d, %v; want 1, nil", n, err)
		}
		storetest.Eventually(t, "the replayed change is synced", func() bool {
			xref, err := h.store.LookupXref(context.Background(), "erpnext/item", "HAT-L")
			return err == nil && xref == "ITEM-HAT-L"
		})
		mu.Lock()
		if calls["order/9"] != 2 || calls["order/10"] != 1 {
			t.Errorf("handler calls = %v; want order/9 twice (fail, replay) and order/10 once", calls)
		}
		mu.Unlock()
		left, err := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{})
		if err != nil || len(left) != 1 || left[0].Reason != failure.ReasonMalformedPayload {
			t.Fatalf("dead letters after replay = %+v, %v; want only the malformed one", left, err)
		}
		trail, err := h.store.Audit(context.Background(), "corr-unmapped")
		if err != nil {
			t.Fatal(err)
		}
		var outcomes []store.Outcome
		for _, e := range trail {
			outcomes = append(outcomes, e.Outcome)
		}
		want := []store.Outcome{store.OutcomeDeadLettered, store.OutcomeReplayed, store.OutcomeSynced}
		if !slices.Equal(outcomes, want) {
			t.Fatalf("audit trail of corr-unmapped = %v, want %v", outcomes, want)
		}

		// Replay by correlation id: still malformed, so it comes straight back.
		if n, err := h.engine.Replay(context.Background(), store.DeadLetterFilter{CorrelationID: "corr-garbled"}); err != nil || n != 1 {
			t.Fatalf("Replay(corr-garbled) = %d, %v; want 1, nil", n, err)
		}
		storetest.Eventually(t, "the garbled change is dead-lettered again", func() bool {
			mu.Lock()
			defer mu.Unlock()
			dl, err := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{CorrelationID: "corr-garbled"})
			return calls["order/10"] == 2 && err == nil && len(dl) == 1
		})

		// Retention: pruning forgets the dead letter, but the change is still unsynced and lag says so.
		if n, err := h.store.PruneDeadLetters(context.Background(), time.Now().Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("PruneDeadLetters = %d, %v; want 1", n, err)
		}
		if r := h.report(t); len(r.DeadLetters) != 0 || r.Lag <= 0 {
			t.Fatalf("after pruning: dead letters %+v, lag %v; want none and lag > 0", r.DeadLetters, r.Lag)
		}
	})
}

func TestOutageOpensBreakerAndDeadLettersNothing(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		const changes = 40
		tgt := newFakeTarget()
		var mu sync.Mutex
		down, outageCalls := true, 0
		tgt.setFault(func(job *engine.Job) error {
			mu.Lock()
			defer mu.Unlock()
			if down {
				outageCalls++
				return failure.FromHTTP("ERPNext", http.StatusServiceUnavailable, nil, "", "maintenance", time.Now())
			}
			return nil
		})
		cfg := fastConfig()
		cfg.Retry.MaxAttempts = 3 // without the breaker, a long outage would exhaust these
		h := start(t, storetest.Open(t, driver), cfg, map[string]engine.Handler{"order": tgt.handle})

		var batch []engine.Change
		for i := range changes {
			batch = append(batch, change("order", fmt.Sprintf("order/%d", i), 1))
		}
		outageStart := time.Now()
		h.enqueue(t, batch...)
		storetest.Eventually(t, "the breaker opens", func() bool { return h.report(t).Breakers[target] == engine.BreakerOpen })
		// Open, or half-open if a cooldown already ran out: anything but closed.
		if got := h.metric(t, "retailsync_engine_breaker_state", "target", target); got == float64(engine.BreakerClosed) {
			t.Fatal("breaker_state gauge says closed while the breaker is open")
		}
		// Keep the target down for several cooldowns, so probes fail and jobs are held many times.
		storetest.Eventually(t, "three probes have failed", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return outageCalls >= cfg.Breaker.FailureThreshold+cfg.MaxInFlight+3
		})
		mu.Lock()
		down = false
		outage := time.Since(outageStart)
		calls := outageCalls
		mu.Unlock()

		storetest.Eventually(t, "everything drains", func() bool { return len(tgt.appliedKeys()) == changes })
		storetest.Eventually(t, "the backlog is empty", func() bool { return h.report(t).Backlog == 0 })
		r := h.report(t)
		if len(r.DeadLetters) != 0 || r.DeadLettered != 0 {
			t.Fatalf("dead letters after an outage: %+v", r.DeadLetters)
		}
		if r.Breakers[target] != engine.BreakerClosed {
			t.Fatalf("breaker after recovery = %v, want Closed", r.Breakers[target])
		}
		// Calls during the outage: those that tripped the breaker, those already in flight, and one
		// probe per cooldown.
		limit := cfg.Breaker.FailureThreshold + cfg.MaxInFlight + int(outage/cfg.Breaker.Cooldown) + 2
		if calls > limit {
			t.Fatalf("%d calls during a %v outage, want at most %d", calls, outage, limit)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		const wait = time.Second
		tgt := newFakeTarget()
		var mu sync.Mutex
		first := true
		tgt.setFault(func(job *engine.Job) error {
			mu.Lock()
			defer mu.Unlock()
			if first {
				first = false
				h := http.Header{"Retry-After": []string{"1"}}
				return failure.FromHTTP("ERPNext", http.StatusTooManyRequests, h, "", "slow down", time.Now())
			}
			return nil
		})
		h := start(t, storetest.Open(t, driver), fastConfig(), map[string]engine.Handler{"order": tgt.handle})
		h.enqueue(t, change("order", "order/1", 1))
		storetest.Eventually(t, "the change is applied", func() bool { return len(tgt.appliedKeys()) == 1 })

		tgt.mu.Lock()
		defer tgt.mu.Unlock()
		if len(tgt.callAt) != 2 {
			t.Fatalf("target saw %d calls, want 2", len(tgt.callAt))
		}
		// The backoff is 20ms; only Retry-After explains a gap of a second.
		if gap := tgt.callAt[1].Sub(tgt.callAt[0]); gap < wait {
			t.Fatalf("retried after %v, before the %v the target asked for", gap, wait)
		}
	})
}

func TestExhaustedTransientFailuresAreDeadLetteredWithTheirReason(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		tgt := newFakeTarget()
		tgt.setFault(func(job *engine.Job) error {
			return failure.Transientf(failure.ReasonTimeout, "ERP did not answer")
		})
		cfg := fastConfig()
		cfg.Retry.MaxAttempts = 2
		cfg.Breaker.FailureThreshold = 100 // this test is about attempts, not the breaker
		h := start(t, storetest.Open(t, driver), cfg, map[string]engine.Handler{"order": tgt.handle})
		h.enqueue(t, change("order", "order/1", 1))
		storetest.Eventually(t, "the change is dead-lettered", func() bool {
			dl, err := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{})
			return err == nil && len(dl) == 1
		})
		dl, _ := h.engine.DeadLetters(context.Background(), store.DeadLetterFilter{})
		if dl[0].Reason != failure.ReasonTimeout || dl[0].Permanent || dl[0].Attempts != 2 || tgt.callCount() != 2 {
			t.Fatalf("dead letter = %+v after %d calls; want Timeout, transient, 2 attempts, 2 calls", dl[0], tgt.callCount())
		}
	})
}

func TestStopWithWorkInFlightLosesNothing(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		entered, never := make(chan struct{}), make(chan struct{})
		var once sync.Once
		blocked := func(ctx context.Context, job *engine.Job) error {
			once.Do(func() { close(entered) })
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-never:
				return nil
			}
		}
		e, err := engine.New(st, fastConfig(), (&logSink{}).logger(), prometheusRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Register("order", target, blocked); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Enqueue(context.Background(), change("order", "order/1", 1)); err != nil {
			t.Fatal(err)
		}
		<-entered
		stopCtx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := e.Stop(stopCtx); err != nil {
			t.Fatalf("Stop: %v", err)
		}

		// A new engine on the same store finishes the change, and the interruption cost no attempt.
		tgt := newFakeTarget()
		var attempt int
		h := start(t, st, fastConfig(), map[string]engine.Handler{"order": func(ctx context.Context, job *engine.Job) error {
			attempt = job.Attempt
			return tgt.handle(ctx, job)
		}})
		storetest.Eventually(t, "the interrupted change is applied", func() bool { return len(tgt.appliedKeys()) == 1 })
		if attempt != 1 {
			t.Fatalf("the resumed change ran as attempt %d, want 1", attempt)
		}
		if r := h.report(t); len(r.DeadLetters) != 0 {
			t.Fatalf("dead letters after shutdown: %+v", r.DeadLetters)
		}
	})
}

func TestConcurrentLoadHasNoLockErrors(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		const producers, perProducer = 8, 150
		tgt := newFakeTarget()
		cfg := fastConfig()
		cfg.MaxInFlight = 16
		h := start(t, storetest.Open(t, driver), cfg, map[string]engine.Handler{"order": tgt.handle})

		var wg sync.WaitGroup
		errs := make(chan error, producers*perProducer)
		for p := range producers {
			wg.Go(func() {
				for i := range perProducer {
					// Every producer also sends a duplicate of its previous change, so dedup races too.
					c := change("order", fmt.Sprintf("order/%d-%d", p, i), 1)
					if _, err := h.engine.Enqueue(context.Background(), c, c); err != nil {
						errs <- err
					}
					if _, err := h.engine.Report(context.Background()); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("under load: %v", err)
		}
		storetest.Eventually(t, "all changes are applied", func() bool { return len(tgt.appliedKeys()) == producers*perProducer })
		if lines := h.logs.matching("SQLITE_BUSY", "database is locked", "deadlock"); len(lines) > 0 {
			t.Fatalf("lock errors logged under load:\n%v", lines)
		}
		tgt.mu.Lock()
		defer tgt.mu.Unlock()
		for k, n := range tgt.calls {
			if n != 1 {
				t.Errorf("%s written %d times, want once", k, n)
			}
		}
	})
}
