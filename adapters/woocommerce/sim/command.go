package sim

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr/funcr"
	"github.com/spf13/cobra"
)

// NewCommand is `retailsync sim woocommerce`: a simulated store on a listener, seeded with a
// catalog, with faults and storefront activity set by flags.
func NewCommand() *cobra.Command {
	var (
		listen, seedFile string
		cfg              Config
		catalog          Catalog
		faultRate        float64
		ordersPerSecond  float64
	)
	cmd := &cobra.Command{
		Use:   "woocommerce",
		Short: "Simulate a WooCommerce store (wc/v3 REST API and webhooks)",
		Long: `Serves wc/v3 under /wp-json/wc/v3 with the one API key given (read_write by default), delivers
webhooks like WooCommerce, and exposes a sim-only API under /__sim/ (faults, outage, request counts,
storefront activity, webhook deliveries).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.ConsumerKey == "" || cfg.ConsumerSecret == "" {
				return errors.New("--consumer-key and --consumer-secret are required")
			}
			if faultRate > 0 {
				share := faultRate / 4
				cfg.Faults.RateLimitRate += share
				cfg.Faults.UnavailableRate += share
				cfg.Faults.ErrorRate += share
				cfg.Faults.ResetRate += share
			}
			cfg.Logger = funcr.New(func(prefix, args string) {
				fmt.Fprintln(cmd.ErrOrStderr(), prefix, args)
			}, funcr.Options{})
			s := New(cfg)
			if seedFile != "" {
				if err := s.SeedFromFile(seedFile); err != nil {
					return err
				}
			} else if err := s.Seed(catalog); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			cfg.Logger.Info("Serving simulated WooCommerce store", "address", l.Addr().String(),
				"products", catalog.SimpleProducts+catalog.VariableProducts, "ordersPerSecond", ordersPerSecond)
			go s.RunActivity(ctx, ordersPerSecond)
			return s.Start(ctx, l)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8081", "address to serve on")
	f.StringVar(&cfg.ConsumerKey, "consumer-key", "", "the API key's consumer key (ck_...)")
	f.StringVar(&cfg.ConsumerSecret, "consumer-secret", "", "the API key's consumer secret (cs_...)")
	f.StringVar(&cfg.Permissions, "permissions", PermReadWrite, "the key's permissions: read, write or read_write")
	f.StringVar(&cfg.SiteURL, "site-url", "", "URL the store calls itself (default: the listener's)")
	f.BoolVar(&cfg.TLSTerminated, "tls-terminated", false, "treat requests as https (Basic auth), as behind a TLS proxy")
	f.StringVar(&cfg.Currency, "currency", "USD", "store currency")
	f.StringVar(&seedFile, "seed-file", "", "JSON catalog to load instead of a generated one")
	f.IntVar(&catalog.SimpleProducts, "products", 50, "simple products to generate")
	f.IntVar(&catalog.VariableProducts, "variable-products", 10, "variable products to generate")
	f.IntVar(&catalog.VariationsEach, "variations", 5, "variations per variable product")
	f.IntVar(&catalog.Customers, "customers", 20, "registered customers to generate")
	f.Uint64Var(&cfg.Seed, "random-seed", 1, "seed for faults and storefront activity")
	f.DurationVar(&cfg.Faults.Latency, "latency", 0, "latency added to every API request")
	f.DurationVar(&cfg.Faults.Jitter, "jitter", 0, "extra uniform latency in [0, jitter)")
	f.Float64Var(&faultRate, "fault-rate", 0, "share of requests failed, spread evenly over 429, 503, 500 and connection resets")
	f.Float64Var(&cfg.Faults.RateLimitRate, "rate-limit-rate", 0, "share of requests answered 429 with Retry-After")
	f.Float64Var(&cfg.Faults.UnavailableRate, "unavailable-rate", 0, "share of requests answered 503")
	f.Float64Var(&cfg.Faults.ErrorRate, "error-rate", 0, "share of requests answered 500")
	f.Float64Var(&cfg.Faults.ResetRate, "reset-rate", 0, "share of connections reset without an answer")
	f.Float64Var(&cfg.Faults.SlowBodyRate, "slow-body-rate", 0, "share of answers trickled out slowly")
	f.DurationVar(&cfg.Faults.RetryAfter, "retry-after", 2*time.Second, "Retry-After sent with 429 and outage 503")
	f.Float64Var(&ordersPerSecond, "orders-per-second", 0, "storefront orders placed per second")
	f.DurationVar(&cfg.Delivery.Delay, "delivery-delay", time.Second, "how long a queued webhook delivery waits (events coalesce meanwhile)")
	f.Float64Var(&cfg.Delivery.DuplicateRate, "duplicate-rate", 0, "share of webhook deliveries sent twice")
	f.Float64Var(&cfg.Delivery.DropRate, "drop-rate", 0, "share of webhook deliveries never sent")
	f.BoolVar(&cfg.Delivery.Reorder, "reorder", false, "send each round of due webhook deliveries newest first")
	return cmd
}
