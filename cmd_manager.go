package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/wiring"
)

// defaultWorkerImage is the image built from this source; releases set it at build time with
// -ldflags "-X main.defaultWorkerImage=...".
var defaultWorkerImage = "ghcr.io/retailsync/retailsync:dev"

// newManagerCommand runs the operator: the StoreConnection, MappingSet and SyncFlow reconcilers.
func newManagerCommand() *cobra.Command {
	var (
		opts          operator.Options
		metricsAddr   string
		secureMetrics bool
		enableHTTP2   bool
		zapOpts       = zap.Options{}
	)
	cmd := &cobra.Command{
		Use:   "manager",
		Short: "Run the operator (controller manager)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
			log := ctrl.Log.WithName("setup")

			// HTTP/2 stays off unless asked for: it exposed servers to the Rapid Reset and
			// Stream Cancellation CVEs, and metrics need nothing from it.
			var tlsOpts []func(*tls.Config)
			if !enableHTTP2 {
				tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
			}
			opts.Metrics = metricsserver.Options{BindAddress: metricsAddr, SecureServing: secureMetrics, TLSOpts: tlsOpts}
			if secureMetrics {
				// Scrapers authenticate with a bearer token and need RBAC to get /metrics.
				opts.Metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
			}
			if opts.WatchNamespace == "" {
				opts.WatchNamespace = os.Getenv("WATCH_NAMESPACE")
			}
			opts.ValidateMappingSet = mapping.Validate
			opts.Probers = wiring.Probers()
			opts.Runs = wiring.WorkersRun

			ctx := ctrl.SetupSignalHandler()
			mgr, err := operator.NewManager(ctx, ctrl.GetConfigOrDie(), opts)
			if err != nil {
				return err
			}
			log.Info("Starting manager", "watchNamespace", opts.WatchNamespace, "leaderElection", opts.LeaderElection)
			if err := mgr.Start(ctx); err != nil {
				return fmt.Errorf("running manager: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&metricsAddr, "metrics-bind-address", ":8443", "Address the metrics endpoint binds to (:8443 for https, :8080 for http, 0 to disable).")
	fs.BoolVar(&secureMetrics, "metrics-secure", true, "Serve metrics over https with authentication and authorization.")
	fs.BoolVar(&enableHTTP2, "enable-http2", false, "Enable HTTP/2 for the metrics server.")
	fs.StringVar(&opts.HealthProbeBindAddress, "health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
	fs.BoolVar(&opts.LeaderElection, "leader-elect", false, "Elect one active manager among replicas.")
	fs.StringVar(&opts.LeaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election Lease (defaults to the pod's).")
	fs.StringVar(&opts.WorkerImage, "worker-image", defaultWorkerImage, "Image of the worker Deployments; the operator's own image.")
	fs.StringVar(&opts.WatchNamespace, "watch-namespace", "", "Only watch this namespace (one tenant per install); defaults to $WATCH_NAMESPACE, empty for all.")
	goFlags := flag.NewFlagSet("zap", flag.ContinueOnError)
	zapOpts.BindFlags(goFlags)
	fs.AddGoFlagSet(goFlags)
	return cmd
}
