package sim

import (
	"fmt"
	"net"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// NewCommand returns "erpnext": run a simulated ERPNext site until interrupted.
func NewCommand() *cobra.Command {
	var listen string
	opts := Options{}
	cmd := &cobra.Command{
		Use:   "erpnext",
		Short: "Run a simulated ERPNext site (Frappe REST API, docstatus lifecycle, stock and ledger)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.APIKey == "" || opts.APISecret == "" {
				return fmt.Errorf("--api-key and --api-secret are required")
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			s := New(opts)
			fmt.Fprintf(cmd.OutOrStdout(), "ERPNext simulator for %s listening on http://%s\n", s.opts.Company, ln.Addr())
			return s.Start(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8000", "address to listen on")
	f.StringVar(&opts.APIKey, "api-key", "", "API key the site accepts")
	f.StringVar(&opts.APISecret, "api-secret", "", "API secret the site accepts")
	f.StringVar(&opts.Company, "company", "ACME Retail", "company name")
	f.StringVar(&opts.Abbr, "abbr", "ACME", "company abbreviation, the suffix of account and warehouse names")
	f.StringVar(&opts.Currency, "currency", "USD", "company currency")
	return cmd
}
