package keyedlock

import (
	"context"
	"errors"
	"testing"
)

func TestOneHolderPerKeyAndNothingKeptAfterwards(t *testing.T) {
	l := New()
	ctx := context.Background()
	unlockA, err := l.Lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// With the key held, only the context can end the wait.
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Lock(ended, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock of a held key returned %v, want it to wait until its context ended", err)
	}
	unlockB, err := l.Lock(ctx, "b") // another key is free
	if err != nil {
		t.Fatal(err)
	}
	unlockA()
	unlockA2, err := l.Lock(ctx, "a") // released: free again
	if err != nil {
		t.Fatal(err)
	}
	unlockA2()
	unlockB()
	if n := len(l.locks); n != 0 {
		t.Fatalf("%d keys kept after every holder left, want 0", n)
	}
}
