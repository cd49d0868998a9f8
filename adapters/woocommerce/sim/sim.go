package sim

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/simkit"
)

// Permission of the one API key the store accepts.
const (
	PermRead      = "read"
	PermWrite     = "write"
	PermReadWrite = "read_write"
)

// Config describes the simulated store.
type Config struct {
	// SiteURL is what the store calls itself (X-WC-Webhook-Source); empty means the listener's URL.
	SiteURL        string
	ConsumerKey    string
	ConsumerSecret string
	Permissions    string // default read_write
	// TLSTerminated makes plain-HTTP requests count as https (is_ssl()), as behind a TLS proxy:
	// Basic auth is then accepted and OAuth is not used.
	TLSTerminated bool
	// Location is the site's time zone, used for the non-_gmt dates and for date filters sent
	// without dates_are_gmt=true. Default UTC-5 so that time zone mistakes show.
	Location *time.Location
	Currency string // default USD
	Faults   simkit.Faults
	Delivery DeliveryOptions
	Seed     uint64
	// Now is the store's clock; tests move it to exercise OAuth windows and date filters.
	Now    func() time.Time
	Logger logr.Logger
	// HTTPClient sends webhook deliveries; default has a 60 s timeout and follows no redirects.
	HTTPClient *http.Client
}

// Sim is a simulated store. Its methods are safe for concurrent use.
type Sim struct {
	cfg Config
	kit *simkit.Kit
	log logr.Logger

	mu         sync.Mutex
	rng        *rand.Rand
	nextPostID int64 // products, variations (WordPress posts share one id sequence)
	nextOrder  int64 // orders and refunds (refunds are orders of another type)
	nextItem   int64 // order items: lines, tax, shipping, fee, coupon lines
	nextOther  int64 // customers, webhooks, notes, meta
	products   map[int64]*woocommerce.Product
	variations map[int64]*woocommerce.Variation
	orders     map[int64]*order
	customers  map[int64]*woocommerce.Customer
	webhooks   map[int64]*webhook
	taxRates   []TaxRate
	coupons    map[string]Coupon
	nonces     map[string]time.Time
	pending    []pendingDelivery
	deliveries []DeliveryRecord

	handler http.Handler

	// keys are the REST API keys the store accepts, consumer key to secret (Config's, plus AddKey).
	keysMu sync.RWMutex
	keys   map[string]string
}

// New returns a store with an empty catalog; call Seed to fill it.
func New(cfg Config) *Sim {
	if cfg.Permissions == "" {
		cfg.Permissions = PermReadWrite
	}
	if cfg.Location == nil {
		cfg.Location = time.FixedZone("UTC-5", -5*60*60)
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout:       60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	cfg.Delivery = cfg.Delivery.withDefaults()
	s := &Sim{
		cfg:        cfg,
		kit:        simkit.NewKit(cfg.Faults, cfg.Seed),
		log:        cfg.Logger,
		rng:        rand.New(rand.NewPCG(cfg.Seed, cfg.Seed+1)),
		nextPostID: 10,
		nextOrder:  1000,
		nextItem:   1,
		nextOther:  1,
		products:   map[int64]*woocommerce.Product{},
		variations: map[int64]*woocommerce.Variation{},
		orders:     map[int64]*order{},
		customers:  map[int64]*woocommerce.Customer{},
		webhooks:   map[int64]*webhook{},
		taxRates:   DefaultTaxRates(),
		coupons:    DefaultCoupons(),
		nonces:     map[string]time.Time{},
		keys:       map[string]string{cfg.ConsumerKey: cfg.ConsumerSecret},
	}
	api, admin := http.NewServeMux(), http.NewServeMux()
	s.registerAPI(api)
	s.registerAdmin(admin)
	s.handler = s.kit.Handler(api, admin, writeFault)
	return s
}

// Handler serves the store: wc/v3 under /wp-json/wc/v3 and the sim-only API under /__sim/.
func (s *Sim) Handler() http.Handler { return s.handler }

// Kit exposes fault injection and request accounting.
func (s *Sim) Kit() *simkit.Kit { return s.kit }

// Start serves on l until ctx ends, delivering due webhooks in the background. It returns when the
// server has stopped.
func (s *Sim) Start(ctx context.Context, l net.Listener) error {
	if s.cfg.SiteURL == "" {
		s.mu.Lock()
		s.cfg.SiteURL = "http://" + l.Addr().String()
		s.mu.Unlock()
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go s.RunDeliveries(ctx, 100*time.Millisecond)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// SetSiteURL names the store in webhook deliveries (X-WC-Webhook-Source); tests call it with the
// httptest server's URL.
func (s *Sim) SetSiteURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.SiteURL = u
}

func (s *Sim) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// stamp returns t as WooCommerce writes it twice: in the site's time zone and in UTC.
func (s *Sim) stamp(t time.Time) (local, gmt woocommerce.Date) {
	return woocommerce.NewDate(t.In(s.cfg.Location)), woocommerce.NewDate(t.UTC())
}
