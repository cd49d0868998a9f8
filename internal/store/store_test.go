package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/store/storetest"
)

func forEachDriver(t *testing.T, body func(t *testing.T, driver string)) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) { body(t, d) })
	}
}

// started returns a store whose queue runs with a handler that completes every job.
func started(t *testing.T, driver string) *store.Store {
	t.Helper()
	st := storetest.Open(t, driver)
	err := st.Start(context.Background(), store.RunConfig{
		Targets: map[string]int{"erpnext": 2},
		Work:    func(context.Context, *store.Job) error { return nil },
		Backoff: func(int) time.Duration { return time.Millisecond },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return st
}

func order(resource string, version int64) store.Change {
	return store.Change{Kind: "order", Target: "erpnext", Resource: resource, Version: version,
		SourceChangedAt: time.Now(), CorrelationID: "c-" + resource, Payload: []byte(`{}`)}
}

func TestCursorAdvancesWithTheChangesItCovers(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := started(t, driver)
		ctx := context.Background()
		cursor := &store.Cursor{Name: "woocommerce/orders", Value: "2026-12-04T10:00:00Z"}
		got, err := st.Enqueue(ctx, []store.Change{order("order/1", 1), order("order/2", 1)}, cursor)
		if err != nil || got.Count() != 2 {
			t.Fatalf("Enqueue = %v, %v; want 2 enqueued", got, err)
		}
		if v, err := st.CursorValue(ctx, cursor.Name); err != nil || v != cursor.Value {
			t.Fatalf("cursor = %q, %v; want %q", v, err, cursor.Value)
		}

		// One bad change rejects the whole page: neither the changes nor the cursor move.
		next := &store.Cursor{Name: cursor.Name, Value: "2026-12-04T11:00:00Z"}
		bad := order("order/4", 0)
		if _, err := st.Enqueue(ctx, []store.Change{order("order/3", 1), bad}, next); err == nil {
			t.Fatal("Enqueue accepted a change with version 0")
		}
		if v, _ := st.CursorValue(ctx, cursor.Name); v != cursor.Value {
			t.Fatalf("cursor moved to %q after a rejected page", v)
		}
		if got, err := st.Enqueue(ctx, []store.Change{order("order/3", 1)}, nil); err != nil || got.Count() != 1 {
			t.Fatalf("order/3 after the rejected page: %v, %v; want it enqueued now", got, err)
		}
	})
}

func TestChangesAreValidated(t *testing.T) {
	st := started(t, store.DriverSQLite)
	long := strings.Repeat("x", 513)
	for name, mutate := range map[string]func(c *store.Change){
		"no kind":          func(c *store.Change) { c.Kind = "" },
		"no target":        func(c *store.Change) { c.Target = "" },
		"no resource":      func(c *store.Change) { c.Resource = "" },
		"long resource":    func(c *store.Change) { c.Resource = long },
		"negative version": func(c *store.Change) { c.Version = -1 },
		"no source time":   func(c *store.Change) { c.SourceChangedAt = time.Time{} },
		"no correlation":   func(c *store.Change) { c.CorrelationID = "" },
		"payload not JSON": func(c *store.Change) { c.Payload = []byte(`{"sku":`) },
	} {
		c := order("order/1", 1)
		mutate(&c)
		if _, err := st.Enqueue(context.Background(), []store.Change{c}, nil); err == nil {
			t.Errorf("%s: Enqueue accepted %+v", name, c)
		}
	}
}

func TestEnqueueBeforeStartIsRefused(t *testing.T) {
	st := storetest.Open(t, store.DriverSQLite)
	if _, err := st.Enqueue(context.Background(), []store.Change{order("order/1", 1)}, nil); err == nil {
		t.Fatal("Enqueue before Start succeeded")
	}
	// The refused change left no dedup record behind: it is accepted once the queue runs.
	if err := st.Start(context.Background(), store.RunConfig{
		Targets: map[string]int{"erpnext": 1},
		Work:    func(context.Context, *store.Job) error { return nil },
		Backoff: func(int) time.Duration { return time.Millisecond },
	}); err != nil {
		t.Fatal(err)
	}
	defer st.Stop(context.Background())
	if got, err := st.Enqueue(context.Background(), []store.Change{order("order/1", 1)}, nil); err != nil || got.Count() != 1 {
		t.Fatalf("Enqueue after Start = %v, %v; want enqueued", got, err)
	}
}

func TestOpenRejectsBadConfigurationWithoutLeakingSecrets(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, store.Config{Driver: "mysql"}); err == nil {
		t.Error("Open accepted an unknown driver")
	}
	if _, err := store.Open(ctx, store.Config{Driver: store.DriverSQLite, Path: "/tmp/x.db?mode=ro"}); err == nil {
		t.Error("Open accepted a SQLite path carrying parameters")
	}
	_, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: "postgres://u:s3cret@host:notaport/db"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open with a bad DSN = %v; want an error without the password", err)
	}
}

func TestAuditTrailIsPrunedByAge(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		done := make(chan struct{})
		var once sync.Once
		if err := st.Start(context.Background(), store.RunConfig{
			Targets: map[string]int{"erpnext": 1},
			Work: func(context.Context, *store.Job) error {
				once.Do(func() { close(done) })
				return nil
			},
			Backoff: func(int) time.Duration { return time.Millisecond },
		}); err != nil {
			t.Fatal(err)
		}
		defer st.Stop(context.Background())
		if _, err := st.Enqueue(context.Background(), []store.Change{order("order/1", 1)}, nil); err != nil {
			t.Fatal(err)
		}
		<-done
		trail := func() []store.AuditEntry {
			t.Helper()
			a, err := st.Audit(context.Background(), "c-order/1")
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		storetest.Eventually(t, "the completion is audited", func() bool { return len(trail()) == 1 })
		if n, err := st.PruneAudit(context.Background(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("pruning entries older than an hour removed %d, %v; want 0", n, err)
		}
		if n, err := st.PruneAudit(context.Background(), time.Now().Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("pruning everything removed %d, %v; want 1", n, err)
		}
		if len(trail()) != 0 {
			t.Fatal("pruned entry still listed")
		}

	})
}

func TestSQLiteStoreHasOneOwner(t *testing.T) {
	cfg := storetest.Config(t, store.DriverSQLite)
	first, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if second, err := store.Open(context.Background(), cfg); err == nil {
		second.Close()
		t.Fatal("a second Open of the same SQLite store succeeded")
	}
	first.Close()
	again, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open after the owner closed: %v", err)
	}
	again.Close()
}

func TestLastAttemptFailingIsKeptAsDeadLetterNotDiscarded(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		if err := st.Start(context.Background(), store.RunConfig{
			Targets:     map[string]int{"erpnext": 1},
			Work:        func(context.Context, *store.Job) error { return errors.New("connection refused") },
			Backoff:     func(int) time.Duration { return time.Millisecond },
			MaxAttempts: 2,
		}); err != nil {
			t.Fatal(err)
		}
		defer st.Stop(context.Background())
		c := order("order/1", 1)
		c.MaxAttempts = 2
		if _, err := st.Enqueue(context.Background(), []store.Change{c}, nil); err != nil {
			t.Fatal(err)
		}
		var dls []store.DeadLetter
		storetest.Eventually(t, "the job is dead-lettered", func() bool {
			var err error
			if dls, err = st.DeadLetters(context.Background(), store.DeadLetterFilter{}); err != nil {
				t.Fatal(err)
			}
			return len(dls) > 0
		})
		if len(dls) != 1 || dls[0].Attempts != 2 || dls[0].Permanent || dls[0].Reason != failure.ReasonInternal {
			t.Fatalf("dead letters = %+v; want one after 2 attempts, transient, reason Internal", dls)
		}
	})
}
