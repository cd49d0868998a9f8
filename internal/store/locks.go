package store

import (
	"context"
	"sync"
	"time"
)

// resourceLocks keeps jobs for one resource from running at once in this process. A flow has one
// worker process: its Deployment runs one replica, and a SQLite store admits one process (see
// lockFile). A PostgreSQL store shared by several processes would need a lock in the database
// instead. Waiting jobs hold a worker only while a job for the same resource runs, and the version
// check after the lock turns the older of two into a cheap skip.
type resourceLocks struct {
	mu    sync.Mutex
	locks map[string]*resourceLock
}

type resourceLock struct {
	sem     chan struct{}
	waiters int
}

func newResourceLocks() *resourceLocks {
	return &resourceLocks{locks: make(map[string]*resourceLock)}
}

// lock waits until no other job holds resource, or ctx ends.
func (l *resourceLocks) lock(ctx context.Context, resource string) (unlock func(), err error) {
	l.mu.Lock()
	rl, ok := l.locks[resource]
	if !ok {
		rl = &resourceLock{sem: make(chan struct{}, 1)}
		l.locks[resource] = rl
	}
	rl.waiters++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		rl.waiters--
		if rl.waiters == 0 {
			delete(l.locks, resource)
		}
		l.mu.Unlock()
	}
	select {
	case rl.sem <- struct{}{}:
		return func() { <-rl.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// retrySchedule carries a remote's Retry-After from the job that saw it to River's retry policy, which
// runs right after the job returns in the same executor.
type retrySchedule struct {
	mu sync.Mutex
	at map[int64]time.Time
}

func newRetrySchedule() *retrySchedule { return &retrySchedule{at: make(map[int64]time.Time)} }

func (r *retrySchedule) set(jobID int64, at time.Time) {
	r.mu.Lock()
	r.at[jobID] = at
	r.mu.Unlock()
}

func (r *retrySchedule) take(jobID int64) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.at[jobID]
	delete(r.at, jobID)
	return at, ok
}
