package worker

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// serve runs an HTTP server on ln until ctx ends, then shuts it down.
func serve(ctx context.Context, wg *sync.WaitGroup, ln net.Listener, h http.Handler, log logr.Logger) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(err, "Server stopped", "address", ln.Addr().String())
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	})
}

// health serves /healthz (the process is alive) and /readyz (it takes work).
type health struct{ ready atomic.Bool }

func newHealth() *health { return &health{} }

func (h *health) setReady(v bool) { h.ready.Store(v) }

func (h *health) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !h.ready.Load() {
			http.Error(w, "starting or stopping", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}

// metricsHandler serves /metrics and the dead-letter API:
//
//	GET  /deadletters?reason=Unmapped&correlationID=...&limit=50   list (payloads included)
//	POST /deadletters/replay?reason=...&correlationID=...          replay, answers {"replayed": n}
func metricsHandler(reg *prometheus.Registry, eng *engine.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /deadletters", func(w http.ResponseWriter, r *http.Request) {
		f, err := filterOf(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		dls, err := eng.DeadLetters(r.Context(), f)
		if err != nil {
			http.Error(w, "reading dead letters failed", http.StatusInternalServerError)
			return
		}
		writeJSON(w, dls)
	})
	mux.HandleFunc("POST /deadletters/replay", func(w http.ResponseWriter, r *http.Request) {
		f, err := filterOf(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n, err := eng.Replay(r.Context(), f)
		if err != nil {
			http.Error(w, "replay failed", http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]int{"replayed": n})
	})
	return mux
}

func filterOf(r *http.Request) (store.DeadLetterFilter, error) {
	q := r.URL.Query()
	f := store.DeadLetterFilter{Reason: failure.Reason(q.Get("reason")), CorrelationID: q.Get("correlationID")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return f, errors.New("limit must be a non-negative integer")
		}
		f.Limit = n
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// webhookSecrets is the receiver's SecretSource: the flow's webhook Secret as last seen, so a
// rotation by the operator is in force at the next delivery.
type webhookSecrets struct {
	mu      sync.Mutex
	current woocommerce.WebhookSecrets
	// rotatedAt is when current was generated (zero without a Secret, or with a time that does not
	// parse); the worker reports it so the operator knows which secret the store may sign with.
	rotatedAt time.Time
}

func (s *webhookSecrets) update(snap Snapshot) {
	secret := snap.Secrets[workerpod.WebhookSecretName(snap.Flow.Name)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if secret == nil {
		s.current, s.rotatedAt = woocommerce.WebhookSecrets{}, time.Time{}
		return
	}
	s.current = woocommerce.WebhookSecrets{
		Current:  secret.Data[workerpod.WebhookSecretCurrent],
		Previous: secret.Data[workerpod.WebhookSecretPrevious],
	}
	s.rotatedAt = workerpod.WebhookSecretRotation(secret.Data)
}

// currentRotatedAt is the rotation time of the secret deliveries are verified with.
func (s *webhookSecrets) currentRotatedAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rotatedAt
}

// WebhookSecrets implements woocommerce.SecretSource. With no secret yet every signed delivery is
// refused, which is right: nothing can be verified.
func (s *webhookSecrets) WebhookSecrets(context.Context) (woocommerce.WebhookSecrets, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current, nil
}
