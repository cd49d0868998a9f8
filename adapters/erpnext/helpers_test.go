package erpnext_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/internal/throttle"
)

const (
	apiKey    = "key-123"
	apiSecret = "secret-456"
	stores    = "Stores - ACME"
	salesTax  = "Sales Tax CA - ACME"
	shipping  = "Shipping Income - ACME"
	stripe    = "Stripe Clearing - ACME"
)

// env is a simulated ERPNext site and a client connected to it.
type env struct {
	t      testing.TB
	site   *sim.Server
	client *erpnext.Client
	url    string
}

type envOption func(*sim.Options, *erpnext.Config, *func(http.Handler) http.Handler)

func withSim(f func(*sim.Options)) envOption {
	return func(o *sim.Options, _ *erpnext.Config, _ *func(http.Handler) http.Handler) { f(o) }
}

func withClient(f func(*erpnext.Config)) envOption {
	return func(_ *sim.Options, c *erpnext.Config, _ *func(http.Handler) http.Handler) { f(c) }
}

func withMiddleware(m func(http.Handler) http.Handler) envOption {
	return func(_ *sim.Options, _ *erpnext.Config, w *func(http.Handler) http.Handler) { *w = m }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	so := sim.Options{APIKey: apiKey, APISecret: apiSecret}
	cfg := erpnext.Config{APIKey: apiKey, APISecret: apiSecret, Timeout: 5 * time.Second, Limits: throttle.Limits{MaxInFlight: 8}}
	wrap := func(h http.Handler) http.Handler { return h }
	for _, o := range opts {
		o(&so, &cfg, &wrap)
	}
	site := sim.New(so)
	srv := httptest.NewServer(wrap(site.Handler()))
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	client, err := erpnext.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, site: site, client: client, url: srv.URL}
	for _, code := range []string{"HD-BLK-M", "TEE-WHT-S"} {
		e.must(site.AddItem(sim.ItemSpec{Code: code, Group: "Apparel"}))
	}
	e.must(site.AddItem(sim.ItemSpec{Code: "GIFT-WRAP", NonStock: true}))
	site.AddAccount(salesTax, "Tax")
	site.AddAccount(shipping, "Income Account")
	site.AddAccount(stripe, "Cash")
	return e
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func wantDecimal(t testing.TB, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func (e *env) customer(name, storeID string) erpnext.Customer {
	e.t.Helper()
	c, _, err := e.client.EnsureCustomer(ctx(e.t), erpnext.Customer{CustomerName: name, StoreCustomerID: storeID})
	e.must(err)
	return c
}

// storeOrder is a WooCommerce order as the Orders flow maps it: two lines, tax, shipping, a coupon.
func storeOrder(customer, externalID string) erpnext.SalesOrder {
	return erpnext.SalesOrder{
		Customer: customer, ExternalOrderID: externalID, CorrelationID: "corr-" + externalID, SetWarehouse: stores,
		Items: []erpnext.SalesOrderItem{
			{ItemCode: "HD-BLK-M", Qty: dec("2"), Rate: dec("49.99")},
			{ItemCode: "TEE-WHT-S", Qty: dec("1"), Rate: dec("19.50")},
		},
		Taxes: []erpnext.SalesTax{
			erpnext.ActualCharge(salesTax, "US-CA-STATE TAX-1", dec("9.93")),
			erpnext.ActualCharge(shipping, "Flat rate shipping", dec("5.00")),
		},
		DiscountAmount: dec("10.00"),
	}
}
