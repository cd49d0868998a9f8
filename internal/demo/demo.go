// Package demo is `retailsync demo`: a real kube-apiserver and etcd, the operator, the local worker
// runtime and the WooCommerce and ERPNext simulators in one process, syncing the sample tenant from
// config/samples with live storefront traffic, and a live table of the SyncFlows.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/adapters/erpnext"
	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	woosim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
	"github.com/retailsync/retailsync/internal/localruntime"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/testenv"
)

// The credentials and addresses config/samples/acme.yaml uses.
const (
	storeKey, storeSecret = "ck_demo_acme", "cs_demo_acme"
	erpKey, erpSecret     = "demo-api-key", "demo-api-secret"
	sampleStoreAddr       = "127.0.0.1:18080"
	sampleERPAddr         = "127.0.0.1:18081"
	sampleFrontAddr       = "127.0.0.1:18090"
)

// Options configure the demo.
type Options struct {
	// StateDir holds the kubeconfig and the workers' data (bin/demo).
	StateDir   string
	SamplesDir string
	// Addresses of the store simulator, the ERP simulator and the webhook front door; they must match
	// the samples' URLs.
	StoreAddr, ERPAddr, FrontAddr string
	// OrdersPerSecond is the storefront's traffic.
	OrdersPerSecond float64
	// Catalog sizes the store.
	Catalog woosim.Catalog
	// Refresh is how often the table is redrawn; Duration ends the demo (0: until interrupted).
	Refresh, Duration time.Duration
	// Runner runs a worker in-process (the `worker` subcommand).
	Runner  localruntime.Runner
	Probers map[v1alpha1.System]controllers.Prober
	Runs    func(v1alpha1.FlowKind, v1alpha1.System) bool
	Out     io.Writer
}

// Stack is a running demo: the control plane, the operator with its local worker runtime, and the
// simulators. The end-to-end suite drives the same stack the demo shows.
type Stack struct {
	Env        *testenv.Env
	Client     client.Client
	Store      *woosim.Sim
	ERP        *erpsim.Server
	Kubeconfig string
	// StoreURL, ERPURL and FrontURL are where the simulators and the webhook front door listen.
	StoreURL, ERPURL, FrontURL string

	errc chan error
	stop func()
}

// Stop stops everything and waits for it.
func (s *Stack) Stop() { s.stop() }

// Start brings the stack up and applies the samples, with the simulators' and the front door's
// addresses written into them where they differ from the samples' own.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	out := opts.Out
	fmt.Fprintln(out, "Starting kube-apiserver and etcd (built from the Go module proxy into bin/k8s)...")
	env, err := testenv.Start()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	st := &Stack{Env: env, errc: make(chan error, 8)}
	var stops []func()
	st.stop = func() {
		cancel()
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		_ = env.Stop()
	}
	defer func() {
		if err != nil {
			st.Stop()
		}
	}()
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, err
	}
	st.Kubeconfig, _ = filepath.Abs(filepath.Join(opts.StateDir, "kubeconfig"))
	if err := env.WriteKubeconfig(st.Kubeconfig); err != nil {
		return nil, err
	}
	if st.Store, st.ERP, st.StoreURL, st.ERPURL, err = StartSimulators(ctx, opts, st.errc); err != nil {
		return nil, err
	}

	mgr, err := operator.NewManager(ctx, env.Config, operator.Options{
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		ValidateMappingSet: mapping.Validate, WorkerImage: "retailsync:demo", Probers: opts.Probers, Runs: opts.Runs,
	})
	if err != nil {
		return nil, err
	}
	front := localruntime.NewFront()
	frontLn, err := net.Listen("tcp", opts.FrontAddr)
	if err != nil {
		return nil, fmt.Errorf("webhook front door on %s: %w", opts.FrontAddr, err)
	}
	st.FrontURL = "http://" + frontLn.Addr().String()
	go serveHTTP(ctx, frontLn, front, st.errc)
	rt := &localruntime.Runtime{Client: mgr.GetClient(), Config: env.Config, Run: opts.Runner,
		DataRoot: filepath.Join(opts.StateDir, "workers"), Front: front}
	if err := rt.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	mgrDone := make(chan struct{})
	go func() {
		defer close(mgrDone)
		if err := mgr.Start(ctx); err != nil {
			st.errc <- fmt.Errorf("manager: %w", err)
		}
	}()
	stops = append(stops, func() { <-mgrDone; rt.Stop() })

	if st.Client, err = client.New(env.Config, client.Options{Scheme: operator.Scheme()}); err != nil {
		return nil, err
	}
	samples, err := SampleYAML(opts.SamplesDir, st.StoreURL, st.ERPURL, st.FrontURL)
	if err != nil {
		return nil, err
	}
	if err := applySamples(ctx, st.Client, samples, out); err != nil {
		return nil, err
	}
	return st, nil
}

// Run starts the stack with storefront traffic and shows the table until ctx ends.
func Run(ctx context.Context, opts Options) error {
	st, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go st.Store.RunActivity(ctx, opts.OrdersPerSecond)
	fmt.Fprintf(opts.Out, "\nThe cluster is yours too:\n  export KUBECONFIG=%s\n  bin/k8s/%s/kubectl get syncflows -A\n\n", st.Kubeconfig, testenv.KubernetesVersion)
	return showTable(ctx, st, opts)
}

// StartSimulators starts the sample tenant's WooCommerce and ERPNext simulators on the options'
// addresses (the ERP seeded from the store's catalog) and returns them with their base URLs.
func StartSimulators(ctx context.Context, opts Options, errc chan<- error) (*woosim.Sim, *erpsim.Server, string, string, error) {
	store := woosim.New(woosim.Config{ConsumerKey: storeKey, ConsumerSecret: storeSecret, Seed: 1})
	if err := store.Seed(opts.Catalog); err != nil {
		return nil, nil, "", "", err
	}
	erp := erpsim.New(erpsim.Options{APIKey: erpKey, APISecret: erpSecret, Company: "ACME", Abbr: "ACME", Seed: 1})
	storeLn, err := net.Listen("tcp", opts.StoreAddr)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("WooCommerce simulator on %s: %w", opts.StoreAddr, err)
	}
	erpLn, err := net.Listen("tcp", opts.ERPAddr)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("ERPNext simulator on %s: %w", opts.ERPAddr, err)
	}
	go func() {
		if err := store.Start(ctx, storeLn); err != nil {
			errc <- fmt.Errorf("WooCommerce simulator: %w", err)
		}
	}()
	go func() {
		if err := erp.Start(ctx, erpLn); err != nil {
			errc <- fmt.Errorf("ERPNext simulator: %w", err)
		}
	}()
	client, err := woocommerce.New(woocommerce.Config{BaseURL: "http://" + storeLn.Addr().String(),
		Credentials: woocommerce.StaticCredentials{ConsumerKey: storeKey, ConsumerSecret: storeSecret}})
	if err != nil {
		return nil, nil, "", "", err
	}
	erpClient, err := erpnext.New(erpnext.Config{URL: "http://" + erpLn.Addr().String(), APIKey: erpKey, APISecret: erpSecret})
	if err != nil {
		return nil, nil, "", "", err
	}
	n, err := seedERP(ctx, erp, erpClient, client)
	if err != nil {
		return nil, nil, "", "", fmt.Errorf("seeding the ERP from the store's catalog: %w", err)
	}
	fmt.Fprintf(opts.Out, "WooCommerce simulator on http://%s, ERPNext simulator on http://%s (%d items)\n", storeLn.Addr(), erpLn.Addr(), n)
	return store, erp, "http://" + storeLn.Addr().String(), "http://" + erpLn.Addr().String(), nil
}

// serveHTTP serves h on ln until ctx ends.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, errc chan<- error) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		errc <- err
	}
}

// SampleYAML returns the documents of the sample files (kustomization.yaml aside), with the samples'
// simulator and front-door addresses replaced by the given base URLs.
func SampleYAML(dir, storeURL, erpURL, frontURL string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return "", err
	}
	rewrite := strings.NewReplacer("http://"+sampleStoreAddr, storeURL, "http://"+sampleERPAddr, erpURL, "http://"+sampleFrontAddr, frontURL)
	var docs []string
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		docs = append(docs, rewrite.Replace(string(data)))
	}
	return strings.Join(docs, "\n---\n"), nil
}

// applySamples creates every object of the sample files, Namespaces first, as `kubectl apply`
// would (server-side apply with the demo as field manager).
func applySamples(ctx context.Context, c client.Client, yaml string, out io.Writer) error {
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(yaml), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].GetKind() == "Namespace" && objs[j].GetKind() != "Namespace" })
	for _, u := range objs {
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("retailsync-demo"), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	fmt.Fprintf(out, "Applied %d sample objects\n", len(objs))
	return nil
}

// showTable redraws the SyncFlows and a progress line until ctx ends or the duration passes.
func showTable(ctx context.Context, st *Stack, opts Options) error {
	ticker := time.NewTicker(opts.Refresh)
	defer ticker.Stop()
	var deadline <-chan time.Time
	if opts.Duration > 0 {
		deadline = time.After(opts.Duration)
	}
	started := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-deadline:
			return nil
		case err := <-st.errc:
			return err
		case <-ticker.C:
			var flows v1alpha1.SyncFlowList
			if err := st.Client.List(ctx, &flows); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			fmt.Fprint(opts.Out, "\033[H\033[2J") // clear the terminal
			fmt.Fprintf(opts.Out, "retailsync demo, running %s (Ctrl-C stops everything)\n\n", time.Since(started).Round(time.Second))
			writeTable(opts.Out, flows.Items)
			orders := st.Store.Orders()
			fmt.Fprintf(opts.Out, "\nstore orders placed: %d   ERP sales orders: %d   webhook deliveries: %d\n",
				len(orders), len(st.ERP.Names("Sales Order")), len(st.Store.Deliveries()))
			fmt.Fprintf(opts.Out, "\nIn another terminal: KUBECONFIG=%s bin/k8s/%s/kubectl describe syncflow orders -n acme\n",
				filepath.Join(opts.StateDir, "kubeconfig"), testenv.KubernetesVersion)
		}
	}
}

func writeTable(out io.Writer, flows []v1alpha1.SyncFlow) {
	tw := tabwriter.NewWriter(out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tFLOW\tREADY\tLAG\tBACKLOG\tDLQ\tLAST SYNC\tSTATUS")
	for _, f := range flows {
		ready, reason := "Unknown", ""
		if c := meta.FindStatusCondition(f.Status.Conditions, v1alpha1.ConditionReady); c != nil {
			ready, reason = string(c.Status), c.Reason+": "+c.Message
		}
		lastSync := ""
		if t := f.Status.LastSyncTime; t != nil {
			lastSync = duration.HumanDuration(time.Since(t.Time))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Namespace, f.Name, f.Spec.Flow, ready, f.Status.Lag,
			num(f.Status.Backlog), num(f.Status.DeadLetters), lastSync, truncate(reason, 80))
	}
	_ = tw.Flush()
}

func num(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
