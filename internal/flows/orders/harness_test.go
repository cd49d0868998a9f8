package orders_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/flows/orders"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/simkit"
	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/store/storetest"
	"github.com/retailsync/retailsync/internal/testwait"
	"github.com/retailsync/retailsync/internal/throttle"
)

const (
	consumerKey    = "ck_test"
	consumerSecret = "cs_test"
	apiKey         = "erp-key"
	apiSecret      = "erp-secret"
	webhookSecret  = "whsec"
	guestCustomer  = "Web Guest"
	warehouse      = "Stores - ACME"
)

// options shape one test environment.
type options struct {
	catalog  wcsim.Catalog
	shopNow  func() time.Time
	delivery wcsim.DeliveryOptions
	// webhooks subscribes the flow's receiver to order.created and order.updated.
	webhooks bool
	// shopMiddleware, when set, stands in front of the store simulator's API.
	shopMiddleware func(http.Handler) http.Handler
	erpFaults      simkit.Faults
	engine         engine.Config
	erpInFlight    int
	spec           func(*v1alpha1.MappingSetSpec)
	log            logr.Logger
}

// env is a store simulator, an ERP simulator, a durable store, a started engine and the flow.
type env struct {
	t       testing.TB
	ctx     context.Context
	shop    *wcsim.Sim
	shopURL string
	wc      *woocommerce.Client
	site    *erpsim.Server
	erp     *erpnext.Client
	store   *store.Store
	engine  *engine.Engine
	flow    *orders.Flow
	spec    v1alpha1.MappingSetSpec
	mapper  atomic.Pointer[mapping.Mapper]
}

// fastEngine keeps tests quick: short backoffs and cooldown, fast fetching, and enough attempts
// that an outage held back by the breaker never exhausts them.
func fastEngine() engine.Config {
	return engine.Config{
		Retry:             engine.RetryPolicy{MaxAttempts: 20, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond},
		Breaker:           engine.BreakerPolicy{FailureThreshold: 3, Cooldown: 100 * time.Millisecond},
		MaxInFlight:       8,
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
		ReportInterval:    50 * time.Millisecond,
	}
}

func newEnv(t testing.TB, o options) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if o.engine.MaxInFlight == 0 {
		o.engine = fastEngine()
	}
	if o.erpInFlight == 0 {
		o.erpInFlight = 16
	}
	e := &env{t: t, ctx: ctx}
	e.startShop(o)
	e.startERP(o)
	e.spec = baseSpec()
	if o.spec != nil {
		o.spec(&e.spec)
	}
	e.setSpec(e.spec)

	st := storetest.Open(t, store.DriverSQLite)
	e.store = st
	var err error
	if e.engine, err = engine.New(st, o.engine, o.log, prometheus.NewRegistry()); err != nil {
		t.Fatal(err)
	}
	e.flow, err = orders.New(orders.Deps{
		Store:   func() *woocommerce.Client { return e.wc },
		ERP:     func() *erpnext.Client { return e.erp },
		Mapper:  e.mapper.Load,
		Engine:  e.engine,
		Cursors: st,
		Log:     o.log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.flow.Register(); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.engine.Stop(stop)
	})
	if o.webhooks {
		e.subscribe(o.log)
	}
	return e
}

func (e *env) startShop(o options) {
	e.shop = wcsim.New(wcsim.Config{ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, TLSTerminated: true,
		Now: o.shopNow, Delivery: o.delivery, Seed: 7})
	if err := e.shop.Seed(o.catalog); err != nil {
		e.t.Fatal(err)
	}
	handler := e.shop.Handler()
	if o.shopMiddleware != nil {
		handler = o.shopMiddleware(handler)
	}
	srv := httptest.NewServer(handler)
	e.t.Cleanup(srv.Close)
	e.shop.SetSiteURL(srv.URL)
	e.shopURL = srv.URL
	var err error
	e.wc, err = woocommerce.New(woocommerce.Config{BaseURL: srv.URL, Auth: woocommerce.AuthBasic,
		Credentials: woocommerce.StaticCredentials{ConsumerKey: consumerKey, ConsumerSecret: consumerSecret},
		Limits:      throttle.Limits{MaxInFlight: 16}, Timeout: 10 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) startERP(o options) {
	e.site = erpsim.New(erpsim.Options{APIKey: apiKey, APISecret: apiSecret, Faults: o.erpFaults, Seed: 11})
	srv := httptest.NewServer(e.site.Handler())
	e.t.Cleanup(srv.Close)
	var err error
	e.erp, err = erpnext.New(erpnext.Config{URL: srv.URL, APIKey: apiKey, APISecret: apiSecret,
		Limits: throttle.Limits{MaxInFlight: o.erpInFlight}, Timeout: 10 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range taxAccounts {
		e.site.AddAccount(a, "Tax")
	}
	for _, a := range []string{"Shipping Income - ACME", "Fee Income - ACME", "Rounding - ACME"} {
		e.site.AddAccount(a, "Income Account")
	}
	for _, sku := range e.catalogSKUs() {
		if err := e.site.AddItem(erpItem(itemCode(sku))); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.erp.Insert(e.ctx, "Customer", erpnext.Customer{CustomerName: guestCustomer, CustomerType: "Individual"}, nil); err != nil {
		e.t.Fatal(err)
	}
}

// catalogSKUs lists the SKUs of every product and variation the shop sells.
func (e *env) catalogSKUs() []string {
	var skus []string
	for p, err := range e.wc.Products(e.ctx, woocommerce.ListOptions{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		if p.Type != woocommerce.ProductVariable {
			skus = append(skus, p.SKU)
			continue
		}
		for _, id := range p.Variations {
			v, ok := e.shop.Variation(id)
			if !ok {
				e.t.Fatalf("variation %d of product %d is missing", id, p.ID)
			}
			skus = append(skus, v.SKU)
		}
	}
	return skus
}

// itemCode is the ERP item code the test MappingSet's rule derives from a store SKU.
func itemCode(sku string) string { return "IT-" + sku }

var taxAccounts = map[string]string{
	"US-CA-STATE TAX-1":  "CA State Tax - ACME",
	"US-CA-COUNTY TAX-2": "CA County Tax - ACME",
	"US-NY-STATE TAX-1":  "NY State Tax - ACME",
	"US-NY-CITY TAX-2":   "NY City Tax - ACME",
	"DE-MWST-1":          "DE VAT - ACME",
	"GB-VAT-1":           "GB VAT - ACME",
}

// baseSpec maps the simulator's catalog, taxes, gateways and shipping; foreign currencies post.
func baseSpec() v1alpha1.MappingSetSpec {
	spec := v1alpha1.MappingSetSpec{
		Currency: v1alpha1.CurrencyPolicy{Code: "USD", Foreign: v1alpha1.ForeignCurrencyPost},
		SKUs: v1alpha1.SKUMapping{
			Rules:    []v1alpha1.SKURule{{Pattern: `^((?:TEE|HOODIE)-.+)$`, Replacement: "IT-$1"}},
			Unmapped: v1alpha1.UnmappedSKUDeadLetter,
		},
		PaymentMethods: []v1alpha1.PaymentMethodMapping{
			{Store: "stripe", ModeOfPayment: "Credit Card", Account: "Stripe Clearing - ACME"},
			{Store: "bacs", ModeOfPayment: "Wire Transfer", Account: "Bank - ACME"},
		},
		ShippingMethods: []v1alpha1.ShippingMethodMapping{{Store: "flat_rate", Account: "Shipping Income - ACME"}},
		Customers:       v1alpha1.CustomerMatching{GuestCustomer: guestCustomer},
		Accounts: v1alpha1.GLAccounts{Discounts: "Discount Allowed - ACME", Fees: "Fee Income - ACME",
			Rounding: "Rounding - ACME"},
		Expressions: []v1alpha1.ComputedField{{Field: v1alpha1.FieldOrderWarehouse, Expression: `"` + warehouse + `"`}},
	}
	for code, account := range taxAccounts {
		spec.Taxes = append(spec.Taxes, v1alpha1.TaxMapping{RateCode: code, Account: account})
	}
	slices.SortFunc(spec.Taxes, func(a, b v1alpha1.TaxMapping) int { return strings.Compare(a.RateCode, b.RateCode) })
	return spec
}

// setSpec compiles a MappingSet and swaps it in, as the worker does when the MappingSet changes.
func (e *env) setSpec(spec v1alpha1.MappingSetSpec) {
	e.t.Helper()
	m, errs := mapping.Compile("acme/acme", &spec)
	if len(errs) > 0 {
		e.t.Fatalf("MappingSet does not compile: %v", errs.ToAggregate())
	}
	e.spec = spec
	e.mapper.Store(m)
}

// subscribe points order webhooks at a receiver that hands deliveries to the flow.
func (e *env) subscribe(log logr.Logger) {
	secrets := woocommerce.SecretSourceFunc(func(context.Context) (woocommerce.WebhookSecrets, error) {
		return woocommerce.WebhookSecrets{Current: []byte(webhookSecret)}, nil
	})
	hooks := httptest.NewServer(woocommerce.NewReceiver(secrets, e.flow, 0, log))
	e.t.Cleanup(hooks.Close)
	for _, topic := range []string{"order.created", "order.updated"} {
		if _, err := e.wc.CreateWebhook(e.ctx, woocommerce.Webhook{Name: topic, Topic: topic, Status: woocommerce.WebhookActive,
			DeliveryURL: hooks.URL, Secret: webhookSecret}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// salesOrders returns the ERP's Sales Orders by external order id (several when an order was
// amended: the original keeps the id, amendments carry amended_from).
func (e *env) salesOrders() map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, name := range e.site.Names("Sales Order") {
		d, ok := e.site.Document("Sales Order", name)
		if !ok {
			continue
		}
		id := fmt.Sprint(d[erpnext.FieldExternalOrderID])
		if from, ok := d["amended_from"].(string); ok && from != "" {
			id = "amendment of " + from
		}
		out[id] = append(out[id], d)
	}
	return out
}

func num(v any) decimal.Decimal {
	d, err := decimal.NewFromString(fmt.Sprint(v))
	if err != nil {
		return decimal.NewFromInt(-1)
	}
	return d
}

// eventually waits for cond to hold, failing with what describe says when the deadline passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	testwait.Until(t, timeout, 20*time.Millisecond, what, cond)
}

// settled reports whether the engine has nothing left to do.
func (e *env) settled() (bool, string) {
	r, err := e.engine.Report(e.ctx)
	if err != nil {
		return false, err.Error()
	}
	return r.Backlog == 0, fmt.Sprintf("backlog %d", r.Backlog)
}

// logSink keeps the flow's log lines, to find what it told operators (and the correlation ids).
type logSink struct {
	mu  sync.Mutex
	all []string
}

func (l *logSink) logger() logr.Logger {
	write := func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.all = append(l.all, prefix+" "+args)
	}
	return funcr.New(write, funcr.Options{Verbosity: 1})
}

// containing returns the lines that contain s.
func (l *logSink) containing(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(l.all), func(line string) bool { return !strings.Contains(line, s) })
}

func erpItem(code string) erpsim.ItemSpec { return erpsim.ItemSpec{Code: code, Group: "Apparel"} }
