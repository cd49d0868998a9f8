package store

import (
	"sync"
	"time"
)

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
