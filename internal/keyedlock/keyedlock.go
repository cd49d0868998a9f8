// Package keyedlock is a mutex per key (an order, a customer), made when first asked for and dropped
// when nobody holds or waits for it, so memory follows what is in flight rather than every key seen.
package keyedlock

import (
	"context"
	"sync"
)

// Locks is safe for concurrent use; the zero value is not: use New.
type Locks struct {
	mu    sync.Mutex
	locks map[string]*lock
}

type lock struct {
	sem     chan struct{}
	waiters int
}

// New returns an empty set of locks.
func New() *Locks { return &Locks{locks: make(map[string]*lock)} }

// Lock waits until nobody else holds key, or ctx ends. The returned unlock must be called once.
func (l *Locks) Lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	k, ok := l.locks[key]
	if !ok {
		k = &lock{sem: make(chan struct{}, 1)}
		l.locks[key] = k
	}
	k.waiters++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		if k.waiters--; k.waiters == 0 {
			delete(l.locks, key)
		}
		l.mu.Unlock()
	}
	select {
	case k.sem <- struct{}{}:
		return func() { <-k.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
