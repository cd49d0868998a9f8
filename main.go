// Command retailsync is the one binary of the project: the operator (manager), the sync worker that
// the operator runs once per SyncFlow (worker), the local demo (demo) and the simulators (sim).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	erpnextsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	woocommercesim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/internal/workercmd"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "retailsync",
		Short:         "Keeps WooCommerce stores and ERPs in step, as a Kubernetes operator",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newManagerCommand(), workercmd.NewCommand(nil), newDemoCommand(), newRunCommand(), newSimCommand())
	return root
}

// newSimCommand groups the simulators of the external systems, used by tests, the demo and benchmarks.
func newSimCommand() *cobra.Command {
	sim := &cobra.Command{
		Use:   "sim",
		Short: "Run a simulator of an external system (WooCommerce, ERPNext)",
	}
	// Each simulator package contributes its own subcommand here.
	sim.AddCommand(erpnextsim.NewCommand())
	sim.AddCommand(woocommercesim.NewCommand())
	return sim
}
