// Package workercmd is the `retailsync worker` command: what a worker Deployment runs, and what the
// local runtime runs in-process from the same arguments.
package workercmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/retailsync/retailsync/internal/localruntime"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/wiring"
	"github.com/retailsync/retailsync/internal/worker"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// InProcess is how the local runtime runs a worker inside its own process: environment from the
// Deployment instead of the process's, its logger, and a callback once the worker serves.
type InProcess struct {
	env   map[string]string
	log   logr.Logger
	ready func(worker.Endpoints)
}

// NewCommand runs one SyncFlow: what the operator's worker Deployment executes.
func NewCommand(in *InProcess) *cobra.Command {
	var (
		namespace, flowName, dataDir, kubeconfig string
		webhookAddr, healthAddr, metricsAddr     string
		zapOpts                                  = zap.Options{}
	)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the sync worker of one SyncFlow (started by the operator's worker Deployment)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if namespace == "" || flowName == "" {
				return errors.New("--namespace and --syncflow are required")
			}
			getenv, log := os.Getenv, logr.Discard()
			ctx := cmd.Context()
			if in == nil {
				log = zap.New(zap.UseFlagOptions(&zapOpts))
				ctrl.SetLogger(log)
				var stop context.CancelFunc
				ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
				defer stop()
			} else {
				getenv = func(k string) string { return in.env[k] }
				log = in.log
			}
			log = log.WithValues("syncflow", namespace+"/"+flowName)

			cfg, err := restConfig(kubeconfig)
			if err != nil {
				return err
			}
			c, err := client.NewWithWatch(cfg, client.Options{Scheme: operator.Scheme()})
			if err != nil {
				return err
			}
			src := worker.NewClusterSource(c, namespace, flowName, log)
			srcCtx, stopSource := context.WithCancel(ctx)
			defer stopSource()
			go src.Run(srcCtx)
			opts := worker.Options{
				Source:      src,
				Reporter:    &worker.ClusterReporter{Client: c, Namespace: namespace, FlowName: flowName},
				Flows:       wiring.Flows(),
				Probers:     wiring.WorkerProbers(),
				DataDir:     dataDir,
				PostgresDSN: getenv(workerpod.EnvPostgresDSN),
				WebhookAddr: webhookAddr, HealthAddr: healthAddr, MetricsAddr: metricsAddr,
				Log: log,
			}
			if in != nil {
				opts.Ready = in.ready
			}
			return worker.Run(ctx, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&namespace, flagName(workerpod.FlagNamespace), "", "Namespace of the SyncFlow.")
	fs.StringVar(&flowName, flagName(workerpod.FlagSyncFlow), "", "Name of the SyncFlow to run.")
	fs.StringVar(&dataDir, flagName(workerpod.FlagDataDir), workerpod.DataDir, "Directory of the embedded store.")
	fs.StringVar(&kubeconfig, flagName(workerpod.FlagKubeconfig), "", "Kubeconfig to use instead of the pod's ServiceAccount.")
	fs.StringVar(&webhookAddr, flagName(workerpod.FlagWebhookAddr), fmt.Sprintf(":%d", workerpod.WebhookPort), "Address of the webhook receiver.")
	fs.StringVar(&healthAddr, flagName(workerpod.FlagHealthAddr), fmt.Sprintf(":%d", workerpod.HealthPort), "Address of /healthz and /readyz.")
	fs.StringVar(&metricsAddr, flagName(workerpod.FlagMetricsAddr), fmt.Sprintf(":%d", workerpod.MetricsPort), "Address of /metrics and the dead-letter API.")
	goFlags := flag.NewFlagSet("zap", flag.ContinueOnError)
	zapOpts.BindFlags(goFlags)
	fs.AddGoFlagSet(goFlags)
	return cmd
}

// flagName turns "--namespace" into "namespace".
func flagName(f string) string { return f[2:] }

// restConfig is the kubeconfig when given, else the pod's ServiceAccount, else the usual lookup.
func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	if cfg, err := rest.InClusterConfig(); err == nil {
		return cfg, nil
	}
	return ctrl.GetConfig()
}

// LocalRunner runs workers in this process for the local runtime, from the Deployment's args.
func LocalRunner(log logr.Logger) localruntime.Runner {
	return func(ctx context.Context, spec localruntime.Spec) error {
		args := spec.Args
		if len(args) > 0 && args[0] == "worker" {
			args = args[1:]
		}
		in := &InProcess{env: spec.Env, log: log, ready: func(ep worker.Endpoints) {
			spec.Ready(localruntime.Endpoints{Webhook: ep.Webhook, Health: ep.Health, Metrics: ep.Metrics})
		}}
		cmd := NewCommand(in)
		cmd.SetArgs(args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		return cmd.ExecuteContext(ctx)
	}
}
