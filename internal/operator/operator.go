// Package operator assembles the controller manager: the scheme, the field indexes and the three
// reconcilers. The `manager` subcommand, the demo and the envtest suites all build it here, so the
// tests run the same wiring users do.
package operator

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
)

// Scheme knows the built-in kinds and retailsync.io/v1alpha1.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}

// Options configure the manager.
type Options struct {
	// WatchNamespace limits the operator to one namespace (one tenant per install); empty watches all.
	WatchNamespace string
	// LeaderElection makes replicas of the operator elect one active manager.
	LeaderElection          bool
	LeaderElectionNamespace string
	// Metrics is how metrics are served (address, authentication filter); BindAddress "0" disables.
	Metrics metricsserver.Options
	// HealthProbeBindAddress serves /healthz and /readyz; "0" disables.
	HealthProbeBindAddress string
	// Probers by system for StoreConnection health checks.
	Probers map[v1alpha1.System]controllers.Prober
	// ValidateMappingSet checks MappingSets beyond the schema.
	ValidateMappingSet controllers.MappingSetValidator
	// WorkerImage is the image of the worker Deployments (the operator's own image).
	WorkerImage string
	// Runs says which flows between which systems the workers run; nil: all.
	Runs func(v1alpha1.FlowKind, v1alpha1.System) bool
	// StoreClients builds the WooCommerce clients webhooks are registered with; nil means
	// controllers.DefaultStoreClients.
	StoreClients controllers.StoreClientFactory
	// WebhookCheckInterval is how often registered webhooks are re-read from the store (default 5m).
	WebhookCheckInterval time.Duration
}

// LeaderElectionID is unique to this operator so that two installs in one namespace do not collide
// with other controllers' leases.
const LeaderElectionID = "retailsync-operator.retailsync.io"

// NewManager returns a manager with every reconciler registered, ready to Start.
func NewManager(ctx context.Context, cfg *rest.Config, opts Options) (ctrl.Manager, error) {
	if opts.ValidateMappingSet == nil {
		return nil, fmt.Errorf("operator: a MappingSet validator is required")
	}
	if opts.WorkerImage == "" {
		return nil, fmt.Errorf("operator: a worker image is required")
	}
	mgrOpts := ctrl.Options{
		Scheme:                  Scheme(),
		Metrics:                 opts.Metrics,
		HealthProbeBindAddress:  opts.HealthProbeBindAddress,
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        LeaderElectionID,
		LeaderElectionNamespace: opts.LeaderElectionNamespace,
		// Secrets are read directly rather than cached: the operator only needs the few that
		// connections name, and a cluster-wide Secret cache would hold every tenant's secrets in memory.
		Client: client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
	}
	if opts.WatchNamespace != "" {
		mgrOpts.Cache = cache.Options{DefaultNamespaces: map[string]cache.Config{opts.WatchNamespace: {}}}
	}
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	if err := controllers.SetupIndexes(ctx, mgr); err != nil {
		return nil, fmt.Errorf("registering field indexes: %w", err)
	}
	if err := (&controllers.StoreConnectionReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("storeconnection-controller"),
		Probers:  opts.Probers,
	}).SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up StoreConnection controller: %w", err)
	}
	if err := (&controllers.MappingSetReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("mappingset-controller"),
		Validate: opts.ValidateMappingSet,
	}).SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up MappingSet controller: %w", err)
	}
	if err := (&controllers.SyncFlowReconciler{
		Client:       mgr.GetClient(),
		Recorder:     mgr.GetEventRecorder("syncflow-controller"),
		WorkerImage:  opts.WorkerImage,
		StoreClients: opts.StoreClients,
		Runs:         opts.Runs,

		WebhookCheckInterval: opts.WebhookCheckInterval,
	}).SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up SyncFlow controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, err
	}
	return mgr, nil
}
