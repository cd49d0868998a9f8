package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/wiring"
	"github.com/retailsync/retailsync/internal/worker"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// newRunCommand runs the flows of YAML files without a cluster: users try their YAML before they
// commit it, and tests and benchmarks drive the real worker through it.
func newRunCommand() *cobra.Command {
	var (
		files                                []string
		dataDir                              string
		webhookAddr, healthAddr, metricsAddr string
		every                                time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run -f FILE...",
		Short: "Run the SyncFlows of YAML files (Secrets, StoreConnections, MappingSets, SyncFlows) without a cluster",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := zap.New(zap.WriteTo(os.Stderr))
			ctrl.SetLogger(log)
			snaps, err := worker.LoadFiles(operator.Scheme(), files...)
			if err != nil {
				return err
			}
			if len(snaps) > 1 && (webhookAddr != "127.0.0.1:0" || metricsAddr != "127.0.0.1:0") {
				return errors.New("fixed addresses need a single SyncFlow; with several, each takes a free port")
			}
			ctx := ctrl.SetupSignalHandler()
			table := &worker.TableReporter{}
			var wg sync.WaitGroup
			errs := make([]error, len(snaps))
			for i, snap := range snaps {
				name := snap.Flow.Namespace + "/" + snap.Flow.Name
				wg.Go(func() {
					errs[i] = worker.Run(ctx, worker.Options{
						Source: worker.StaticSource{Snap: snap}, Reporter: table.For(name),
						Flows: wiring.Flows(), Probers: wiring.WorkerProbers(),
						DataDir:     filepath.Join(dataDir, snap.Flow.Namespace, snap.Flow.Name),
						PostgresDSN: os.Getenv(workerpod.EnvPostgresDSN),
						WebhookAddr: webhookAddr, HealthAddr: healthAddr, MetricsAddr: metricsAddr,
						ReportInterval: every,
						Ready: func(ep worker.Endpoints) {
							fmt.Fprintf(cmd.OutOrStdout(), "%s: webhooks on http://%s, metrics and dead letters on http://%s, health on http://%s\n",
								name, ep.Webhook, ep.Metrics, ep.Health)
						},
						Log: log.WithValues("syncflow", name),
					})
				})
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			printTable(ctx, cmd, table, every, done)
			return errors.Join(errs...)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&files, "filename", "f", nil, "YAML file to run (repeatable).")
	fs.StringVar(&dataDir, "data-dir", "bin/run", "Where each flow's embedded store lives.")
	fs.StringVar(&webhookAddr, "webhook-bind-address", "127.0.0.1:0", "Webhook receiver address (single flow).")
	fs.StringVar(&healthAddr, "health-probe-bind-address", "127.0.0.1:0", "Health address.")
	fs.StringVar(&metricsAddr, "metrics-bind-address", "127.0.0.1:0", "Metrics and dead-letter API address (single flow).")
	fs.DurationVar(&every, "interval", 5*time.Second, "How often status is printed.")
	_ = cmd.MarkFlagRequired("filename")
	return cmd
}

func printTable(ctx context.Context, cmd *cobra.Command, table *worker.TableReporter, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			table.Print(cmd.OutOrStdout())
			return
		case <-ctx.Done():
			<-done
			table.Print(cmd.OutOrStdout())
			return
		case <-t.C:
			table.Print(cmd.OutOrStdout())
		}
	}
}
