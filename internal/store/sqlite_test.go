package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSQLiteReadsDoNotWaitForTheWriter: SQLite's one writer connection may be held by a transaction
// (or its fsync) for a while; the store's reads use their own connections and see what is committed.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), "store.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	type result struct {
		value string
		err   error
	}
	err = s.backend.inTx(ctx, func(tx txn) error {
		if _, err := tx.exec(ctx, `INSERT INTO rs_cursor (name, value, updated_at) VALUES ('c', 'v', 0)`); err != nil {
			return err
		}
		read := make(chan result, 1)
		go func() {
			v, err := s.CursorValue(ctx, "c")
			read <- result{v, err}
		}()
		select {
		case r := <-read:
			if r.err != nil || r.value != "" {
				return errors.New("a read during the write saw " + r.value + " (err " + errString(r.err) + "), want nothing yet")
			}
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("a read waited for the open write transaction")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.CursorValue(ctx, "c"); err != nil || v != "v" {
		t.Fatalf("after the commit the read gave %q, %v; want v", v, err)
	}

	// Writes never go through a reader: one that did would fail here rather than wait for the lock.
	split, ok := s.db.(splitQuerier)
	if !ok {
		t.Fatalf("SQLite store querier is %T, want splitQuerier", s.db)
	}
	if _, err := split.reads.exec(ctx, `DELETE FROM rs_cursor`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("a write through a reader: err = %v, want a read-only error", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
