package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/retailsync/retailsync/internal/demo"
	"github.com/retailsync/retailsync/internal/wiring"
	"github.com/retailsync/retailsync/internal/workercmd"
)

// newDemoCommand runs the whole system locally: the README's first command.
func newDemoCommand() *cobra.Command {
	opts := demo.Options{Out: os.Stdout}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a real API server, the operator, its workers and the simulators, syncing config/samples",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
				return err
			}
			logPath := filepath.Join(opts.StateDir, "demo.log")
			logFile, err := os.Create(logPath)
			if err != nil {
				return err
			}
			defer logFile.Close()
			// Logs go to a file so the live table stays readable.
			log := zap.New(zap.WriteTo(logFile))
			ctrl.SetLogger(log)
			opts.Runner = workercmd.LocalRunner(log.WithName("worker"))
			opts.Probers = wiring.Probers()
			opts.Runs = wiring.WorkersRun
			fmt.Fprintf(os.Stdout, "Logs: %s\n", logPath)
			ctx := ctrl.SetupSignalHandler()
			return demo.Run(ctx, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.StateDir, "state-dir", "bin/demo", "Where the kubeconfig, logs and worker data go.")
	fs.StringVar(&opts.SamplesDir, "samples", "config/samples", "Directory of the YAML to apply.")
	fs.StringVar(&opts.StoreAddr, "store-address", "127.0.0.1:18080", "Address of the WooCommerce simulator (as in the samples).")
	fs.StringVar(&opts.ERPAddr, "erp-address", "127.0.0.1:18081", "Address of the ERPNext simulator (as in the samples).")
	fs.StringVar(&opts.FrontAddr, "webhook-address", "127.0.0.1:18090", "Address of the webhook front door (the samples' webhooks.publicURL).")
	fs.Float64Var(&opts.OrdersPerSecond, "orders-per-second", 2, "Storefront traffic.")
	fs.IntVar(&opts.Catalog.SimpleProducts, "simple-products", 40, "Simple products in the store.")
	fs.IntVar(&opts.Catalog.VariableProducts, "variable-products", 10, "Variable products in the store.")
	fs.IntVar(&opts.Catalog.VariationsEach, "variations", 5, "Variations of each variable product.")
	fs.IntVar(&opts.Catalog.Customers, "customers", 25, "Registered customers.")
	fs.DurationVar(&opts.Refresh, "refresh", time.Second, "How often the table is redrawn.")
	fs.DurationVar(&opts.Duration, "duration", 0, "Stop after this long (0: run until Ctrl-C).")
	return cmd
}
