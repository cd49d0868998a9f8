package engine

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus series. Label values are bounded: kinds and targets come from
// registration, reasons from internal/failure.
type metrics struct {
	processed    *prometheus.CounterVec
	failed       *prometheus.CounterVec
	retried      *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	deadLetters  *prometheus.GaugeVec
	backlog      prometheus.Gauge
	lag          prometheus.Gauge
	latency      *prometheus.HistogramVec
	breaker      *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "changes_processed_total",
			Help: "Changes written to their target.",
		}, []string{"kind", "target"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "attempts_failed_total",
			Help: "Attempts that failed, by reason.",
		}, []string{"target", "reason"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "retries_scheduled_total",
			Help: "Failed attempts scheduled to be tried again.",
		}, []string{"target"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "dead_lettered_total",
			Help: "Changes moved to the dead letters, by reason.",
		}, []string{"target", "reason"}),
		deadLetters: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "dead_letters",
			Help: "Dead letters waiting for replay, by reason.",
		}, []string{"reason"}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "backlog",
			Help: "Jobs waiting, scheduled for retry or running.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "lag_seconds",
			Help: "Age of the oldest source change not yet written to its target; 0 when caught up.",
		}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "sync_latency_seconds",
			Help:    "Time from a source change to its write in the target.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 16), // 50 ms to ~27 min
		}, []string{"target"}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "breaker_state",
			Help: "Circuit breaker per target: 0 closed, 1 half-open, 2 open.",
		}, []string{"target"}),
	}
	for _, c := range []prometheus.Collector{m.processed, m.failed, m.retried, m.deadLettered, m.deadLetters,
		m.backlog, m.lag, m.latency, m.breaker} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
