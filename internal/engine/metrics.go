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

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "retailsync", Subsystem: "engine",
		Name: name, Help: help}, labels)
}

func gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "retailsync", Subsystem: "engine",
		Name: name, Help: help}, labels)
}

func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "retailsync", Subsystem: "engine",
		Name: name, Help: help})
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		processed:    counterVec("changes_processed_total", "Changes written to their target.", "kind", "target"),
		failed:       counterVec("attempts_failed_total", "Attempts that failed, by reason.", "target", "reason"),
		retried:      counterVec("retries_scheduled_total", "Failed attempts scheduled to be tried again.", "target"),
		deadLettered: counterVec("dead_lettered_total", "Changes moved to the dead letters, by reason.", "target", "reason"),
		deadLetters:  gaugeVec("dead_letters", "Dead letters waiting for replay, by reason.", "reason"),
		backlog:      gauge("backlog", "Jobs waiting, scheduled for retry or running."),
		lag:          gauge("lag_seconds", "Age of the oldest source change not yet written to its target; 0 when caught up."),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "retailsync", Subsystem: "engine", Name: "sync_latency_seconds",
			Help:    "Time from a source change to its write in the target.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 16), // 50 ms to ~27 min
		}, []string{"target"}),
		breaker: gaugeVec("breaker_state", "Circuit breaker per target: 0 closed, 1 half-open, 2 open.", "target"),
	}
	for _, c := range []prometheus.Collector{m.processed, m.failed, m.retried, m.deadLettered, m.deadLetters,
		m.backlog, m.lag, m.latency, m.breaker} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
