package simkit

import "sync"

// Accounting counts requests per "METHOD pattern" (the ServeMux pattern that matched, so
// /wp-json/wc/v3/orders/{id} counts as one route whatever the id), for tests and benchmarks that
// assert API calls per order.
type Accounting struct {
	mu     sync.Mutex
	counts map[string]int64
}

// NewAccounting returns an empty counter set.
func NewAccounting() *Accounting { return &Accounting{counts: map[string]int64{}} }

// Count adds one request to key.
func (a *Accounting) Count(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts[key]++
}

// Snapshot returns a copy of the counts.
func (a *Accounting) Snapshot() map[string]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int64, len(a.counts))
	for k, v := range a.counts {
		out[k] = v
	}
	return out
}

// Total returns the number of requests counted.
func (a *Accounting) Total() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var n int64
	for _, v := range a.counts {
		n += v
	}
	return n
}

// Reset clears the counts.
func (a *Accounting) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.counts)
}
