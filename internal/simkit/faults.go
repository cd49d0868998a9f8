// Package simkit holds what every simulator shares: fault injection (latency, rate limiting, 5xx,
// connection resets, slow bodies, outage windows switched on and off while running) and request
// accounting per route, both readable and settable over a sim-only admin API under /__sim/.
// Simulators decide how an error body looks in their system's dialect; simkit decides when one is sent.
package simkit

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults is the fault profile a simulator applies to every API request (never to /__sim/).
// Rates are probabilities in [0,1] drawn independently per request.
type Faults struct {
	Latency         time.Duration `json:"latency"`         // added to every request
	Jitter          time.Duration `json:"jitter"`          // uniform extra latency in [0, Jitter)
	RateLimitRate   float64       `json:"rateLimitRate"`   // answered 429 with Retry-After
	RetryAfter      time.Duration `json:"retryAfter"`      // the Retry-After sent with 429 and outage 503s
	UnavailableRate float64       `json:"unavailableRate"` // answered 503
	ErrorRate       float64       `json:"errorRate"`       // answered 500
	ResetRate       float64       `json:"resetRate"`       // connection closed without an answer
	SlowBodyRate    float64       `json:"slowBodyRate"`    // body written in small pieces with pauses
	Outage          bool          `json:"outage"`          // every request answered 503 until switched off
}

// ErrorWriter writes an error answer in the simulated system's dialect.
type ErrorWriter func(w http.ResponseWriter, status int, message string)

// Injector applies a Faults profile. It is safe for concurrent use and can be changed while serving.
type Injector struct {
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
}

// NewInjector returns an Injector with the given profile and a seeded random source, so that a test
// with the same seed and request order sees the same faults.
func NewInjector(f Faults, seed uint64) *Injector {
	return &Injector{faults: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Faults returns the current profile.
func (i *Injector) Faults() Faults {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.faults
}

// Set replaces the profile.
func (i *Injector) Set(f Faults) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.faults = f
}

// SetOutage switches the outage window on or off, keeping the rest of the profile.
func (i *Injector) SetOutage(on bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.faults.Outage = on
}

type verdict int

const (
	pass verdict = iota
	outage
	reset
	tooMany
	unavailable
	internalError
)

// draw decides one request's fate under the lock, so concurrent requests share one random stream.
func (i *Injector) draw() (v verdict, delay time.Duration, slow bool, f Faults) {
	i.mu.Lock()
	defer i.mu.Unlock()
	f = i.faults
	delay = f.Latency
	if f.Jitter > 0 {
		delay += time.Duration(i.rng.Int64N(int64(f.Jitter)))
	}
	switch {
	case f.Outage:
		v = outage
	case i.hit(f.ResetRate):
		v = reset
	case i.hit(f.RateLimitRate):
		v = tooMany
	case i.hit(f.UnavailableRate):
		v = unavailable
	case i.hit(f.ErrorRate):
		v = internalError
	}
	slow = i.hit(f.SlowBodyRate)
	return v, delay, slow, f
}

func (i *Injector) hit(rate float64) bool { return rate > 0 && i.rng.Float64() < rate }

// Middleware wraps next with the fault profile. Faults are decided before next runs, so a faulted
// request never changes the simulator's state: like a real server that failed before the handler.
func (i *Injector) Middleware(next http.Handler, writeError ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, delay, slow, f := i.draw()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		retryAfter := func() {
			if f.RetryAfter > 0 {
				secs := int((f.RetryAfter + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
			}
		}
		switch v {
		case outage:
			retryAfter()
			writeError(w, http.StatusServiceUnavailable, "The site is down for maintenance (simulated outage).")
			return
		case reset:
			resetConnection(w)
			return
		case tooMany:
			retryAfter()
			writeError(w, http.StatusTooManyRequests, "Too many requests (simulated).")
			return
		case unavailable:
			writeError(w, http.StatusServiceUnavailable, "Service unavailable (simulated).")
			return
		case internalError:
			writeError(w, http.StatusInternalServerError, "Internal server error (simulated).")
			return
		}
		if slow {
			w = &slowWriter{ResponseWriter: w}
		}
		next.ServeHTTP(w, r)
	})
}

// resetConnection closes the client's connection with no answer; with SO_LINGER 0 the peer sees a
// TCP RST, as it would from a crashing PHP worker or a load balancer dropping the request.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// slowWriter trickles the body out in small pieces, flushing between them.
type slowWriter struct {
	http.ResponseWriter
}

const (
	slowChunk = 256
	slowPause = 20 * time.Millisecond
)

func (s *slowWriter) Write(p []byte) (int, error) {
	written := 0
	flusher, _ := s.ResponseWriter.(http.Flusher)
	for len(p) > 0 {
		n := min(slowChunk, len(p))
		m, err := s.ResponseWriter.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
		if flusher != nil {
			flusher.Flush()
		}
		if len(p) > 0 {
			time.Sleep(slowPause) // the point of this writer: a slow network, not synchronisation
		}
	}
	return written, nil
}

func (s *slowWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
