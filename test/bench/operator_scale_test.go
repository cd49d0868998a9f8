// Package bench holds the operator's macro benchmarks against a real API server. Run them with
// `make bench` (one iteration each: they measure a whole scenario, not a function).
package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/localruntime"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/testenv"
)

// flowCount is the scale the operator is held to: 500 SyncFlows, each with two connections, two
// Secrets and a MappingSet, applied at once. RETAILSYNC_BENCH_FLOWS overrides it for a quick look.
var flowCount = 500

func init() {
	if n, err := strconv.Atoi(os.Getenv("RETAILSYNC_BENCH_FLOWS")); err == nil && n > 0 {
		flowCount = n
	}
	ctrl.SetLogger(logr.Discard())
}

// BenchmarkOperatorScale applies flowCount tenants' worth of objects at once and measures the time
// until every flow has its worker objects and a steady Ready status (the local runtime runs a
// stand-in worker per Deployment that reports a heartbeat like the real one), the reconciles per
// second the manager sustained, and the manager's heap.
func BenchmarkOperatorScale(b *testing.B) {
	if b.N > 1 {
		b.Skip("a scenario benchmark: run with -benchtime 1x")
	}
	env, err := testenv.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The API server's default client rate limits (QPS 5) would measure client-go, not the operator.
	cfg := *env.Config
	cfg.QPS, cfg.Burst = 500, 1000
	mgr, err := operator.NewManager(ctx, &cfg, operator.Options{
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		ValidateMappingSet: mapping.Validate, WorkerImage: "retailsync:bench",
	})
	if err != nil {
		b.Fatal(err)
	}
	rt := &localruntime.Runtime{Client: mgr.GetClient(), Config: &cfg, Run: heartbeatWorker, DataRoot: b.TempDir()}
	if err := rt.SetupWithManager(mgr); err != nil {
		b.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()
	defer rt.Stop()
	c, err := client.New(&cfg, client.Options{Scheme: operator.Scheme()})
	if err != nil {
		b.Fatal(err)
	}

	const ns = "scale"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		b.Fatal(err)
	}
	reconcilesBefore := reconcileTotal(b)
	start := time.Now()
	for i := range flowCount {
		for _, obj := range tenant(ns, i) {
			if err := c.Create(ctx, obj); err != nil {
				b.Fatal(err)
			}
		}
	}
	applied := time.Since(start)

	deadline := time.Now().Add(10 * time.Minute)
	lastLog := time.Now()
	for {
		ready, waiting := countReady(ctx, b, c, ns)
		if ready == flowCount {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d flows Ready after 10 minutes; waiting: %v", ready, flowCount, waiting)
		}
		if time.Since(lastLog) > 15*time.Second {
			fmt.Fprintf(os.Stderr, "%s: %d Ready; waiting: %v\n", time.Since(start).Round(time.Second), ready, waiting)
			lastLog = time.Now()
		}
		time.Sleep(500 * time.Millisecond) // polling the API, not synchronising goroutines
	}
	steady := time.Since(start)
	reconciles := reconcileTotal(b) - reconcilesBefore
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)

	b.ReportMetric(applied.Seconds(), "s-to-apply")
	b.ReportMetric(steady.Seconds(), "s-to-all-ready")
	b.ReportMetric(reconciles/steady.Seconds(), "reconciles/s")
	b.ReportMetric(reconciles/float64(flowCount), "reconciles/flow")
	b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "MiB-heap")
}

// tenant is one flow's objects, as a user would apply them.
func tenant(ns string, i int) []client.Object {
	n := func(s string) string { return fmt.Sprintf("%s-%03d", s, i) }
	secret := func(name string, data map[string]string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
	}
	conn := func(name string, system v1alpha1.System, url, secretName string) *v1alpha1.StoreConnection {
		return &v1alpha1.StoreConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.StoreConnectionSpec{
			System: system, URL: url, CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: secretName}}}
	}
	return []client.Object{
		secret(n("shop-api"), map[string]string{"consumerKey": "ck", "consumerSecret": "cs"}),
		secret(n("erp-api"), map[string]string{"apiKey": "k", "apiSecret": "s"}),
		conn(n("shop"), v1alpha1.SystemWooCommerce, "https://shop.example", n("shop-api")),
		conn(n("erp"), v1alpha1.SystemERPNext, "https://erp.example", n("erp-api")),
		&v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: n("mapping")}},
		&v1alpha1.SyncFlow{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: n("orders")}, Spec: v1alpha1.SyncFlowSpec{
			Flow: v1alpha1.FlowOrders, SourceRef: v1alpha1.LocalObjectReference{Name: n("shop")},
			TargetRef: v1alpha1.LocalObjectReference{Name: n("erp")}, MappingSetRef: v1alpha1.LocalObjectReference{Name: n("mapping")}}},
	}
}

// countReady counts Ready flows and, for the log, how many wait for each reason.
func countReady(ctx context.Context, b *testing.B, c client.Client, ns string) (int, map[string]int) {
	var flows v1alpha1.SyncFlowList
	if err := c.List(ctx, &flows, client.InNamespace(ns)); err != nil {
		b.Fatal(err)
	}
	ready, reasons := 0, map[string]int{}
	for _, f := range flows.Items {
		cond := meta.FindStatusCondition(f.Status.Conditions, v1alpha1.ConditionReady)
		switch {
		case cond == nil:
			reasons["NotReconciled"]++
		case cond.Status == metav1.ConditionTrue:
			ready++
		default:
			reasons[cond.Reason]++
			if reasons[cond.Reason] == 1 {
				fmt.Fprintf(os.Stderr, "  e.g. %s: %s\n", f.Name, cond.Message)
			}
		}
	}
	return ready, reasons
}

// reconcileTotal sums controller-runtime's reconcile counter over the operator's controllers.
func reconcileTotal(b *testing.B) float64 {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if !strings.Contains(labelOf(m, "controller"), "localruntime") {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// heartbeatWorker stands in for `retailsync worker`: it reports a heartbeat as the worker's
// ServiceAccount every 10 s (the real worker does every 5 s) until stopped, which is what the
// operator's health logic needs.
func heartbeatWorker(ctx context.Context, spec localruntime.Spec) error {
	w, err := testenv.NewStandInWorker(spec.Args)
	if err != nil {
		return err
	}
	if err := w.Heartbeat(ctx); err != nil {
		return err
	}
	spec.Ready(localruntime.Endpoints{})
	ticker := time.NewTicker(10 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			if err := w.Heartbeat(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}
