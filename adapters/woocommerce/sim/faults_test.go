package sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/simkit"
)

func TestFaultsAreInjectedInWordPressDialect(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	setFaults := func(fl simkit.Faults) {
		if a := f.admin("PUT", "faults", fl); a.status != http.StatusOK {
			t.Fatalf("set faults: %d", a.status)
		}
	}
	setFaults(simkit.Faults{RateLimitRate: 1, RetryAfter: 2 * time.Second})
	a := f.call("GET", "/products", nil, nil)
	if a.status != 429 || a.header.Get("Retry-After") != "2" || a.wcError(t).Code == "" {
		t.Errorf("429: %d %v %s", a.status, a.header, a.body)
	}
	for fl, status := range map[simkit.Faults]int{{UnavailableRate: 1}: 503, {ErrorRate: 1}: 500} {
		setFaults(fl)
		if a := f.call("GET", "/products", nil, nil); a.status != status || a.wcError(t).Message == "" {
			t.Errorf("want %d: %d %s", status, a.status, a.body)
		}
	}
	setFaults(simkit.Faults{ResetRate: 1})
	_, err := http.DefaultClient.Do(f.signed("GET", "/products", nil, nil, f.clock.Now(), "reset"))
	if err == nil {
		t.Error("a reset connection produced an answer")
	}
	setFaults(simkit.Faults{SlowBodyRate: 1})
	a = f.call("GET", "/products", nil, nil)
	var products []woocommerce.Product
	if a.status != 200 || json.Unmarshal(a.body, &products) != nil || len(products) != 1 {
		t.Errorf("slow body arrived damaged: %d %s", a.status, a.body)
	}
	setFaults(simkit.Faults{Latency: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = http.DefaultClient.Do(f.signed("GET", "/products", nil, nil, f.clock.Now(), "slow").WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("latency: %v", err)
	}
}

func TestOutageSwitchesOnAndOffWhileRunning(t *testing.T) {
	f := newFixture(t, Config{Faults: simkit.Faults{RetryAfter: 30 * time.Second}}, Catalog{})
	if a := f.admin("POST", "outage?on=true", nil); a.status != http.StatusOK {
		t.Fatalf("outage on: %d", a.status)
	}
	for range 3 {
		if a := f.call("GET", "/orders", nil, nil); a.status != 503 || a.header.Get("Retry-After") != "30" {
			t.Errorf("during outage: %d %v", a.status, a.header)
		}
	}
	// The sim-only API stays up during an outage.
	if a := f.admin("GET", "requests", nil); a.status != http.StatusOK {
		t.Errorf("admin during outage: %d", a.status)
	}
	f.admin("POST", "outage?on=false", nil)
	if a := f.call("GET", "/orders", nil, nil); a.status != http.StatusOK {
		t.Errorf("after outage: %d %s", a.status, a.body)
	}
}

func TestRequestsAreCountedPerRouteAndMethod(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 2})
	o, _ := f.s.PlaceOrder(f.s.RandomOrder())
	f.call("GET", "/orders/"+itoa(o.ID), nil, nil)
	f.call("GET", "/orders/"+itoa(o.ID), nil, nil)
	f.call("PUT", "/orders/"+itoa(o.ID), nil, map[string]string{"status": "completed"})
	f.call("GET", "/nothing-here", nil, nil)
	var counts map[string]int64
	f.admin("GET", "requests", nil).decode(t, &counts)
	want := map[string]int64{"GET /wp-json/wc/v3/orders/{id}": 2, "PUT /wp-json/wc/v3/orders/{id}": 1, "GET /": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s counted %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if a := f.admin("DELETE", "requests", nil); a.status != http.StatusNoContent || f.s.Kit().Accounting.Total() != 0 {
		t.Errorf("reset: %d, total %d", a.status, f.s.Kit().Accounting.Total())
	}
}

func TestAdminDrivesStorefrontActivity(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 3, Customers: 2})
	h := newHook(t)
	f.subscribe(h, "order.updated", "s")
	a := f.admin("POST", "orders", OrderSpec{Billing: shoppers[1].addr, Lines: []LineSpec{{SKU: "TEE-0002", Quantity: 2}}, PaymentMethod: "stripe"})
	var o woocommerce.Order
	a.decode(t, &o)
	if a.status != http.StatusCreated || o.Status != woocommerce.StatusPending || len(o.TaxLines) != 2 {
		t.Fatalf("place: %d %s", a.status, a.body)
	}
	if a := f.admin("POST", "orders", nil); a.status != http.StatusCreated {
		t.Errorf("random order: %d %s", a.status, a.body)
	}
	f.admin("POST", "orders/"+itoa(o.ID)+"/pay", nil).decode(t, &o)
	if o.Status != woocommerce.StatusProcessing || o.DatePaidGMT.IsZero() {
		t.Errorf("pay: %+v", o)
	}
	a = f.admin("POST", "orders/"+itoa(o.ID)+"/refunds", woocommerce.RefundRequest{Amount: woocommerce.MustMoney("1.00"), Reason: "goodwill"})
	if a.status != http.StatusCreated {
		t.Errorf("refund: %d %s", a.status, a.body)
	}
	f.admin("POST", "orders/"+itoa(o.ID)+"/complete", nil).decode(t, &o)
	if o.Status != woocommerce.StatusCompleted {
		t.Errorf("complete: %s", o.Status)
	}
	id := f.s.skuOwner("TEE-0003", 0)
	if a := f.admin("PUT", "stock/"+itoa(id), map[string]int{"stock_quantity": 3}); a.status != http.StatusOK {
		t.Errorf("stock: %d", a.status)
	}
	if p, _ := f.s.Product(id); *p.StockQuantity != 3 {
		t.Errorf("stock %d, want 3", *p.StockQuantity)
	}
	if a := f.admin("POST", "orders/424242/pay", nil); a.status != http.StatusNotFound {
		t.Errorf("pay a missing order: %d", a.status)
	}
	if a := f.admin("PUT", "delivery", DeliveryOptions{DuplicateRate: 1}); a.status != http.StatusOK {
		t.Errorf("delivery options: %d", a.status)
	}
	var delivered map[string]int
	f.admin("POST", "webhooks/deliver", nil).decode(t, &delivered)
	if delivered["delivered"] != 1 || len(h.topics()) != 2 {
		t.Errorf("deliver: %v, %d requests (want 1 coalesced delivery sent twice)", delivered, len(h.topics()))
	}
	var recs []DeliveryRecord
	f.admin("GET", "webhooks/deliveries", nil).decode(t, &recs)
	if len(recs) != 3 || recs[0].Topic != "ping" || recs[2].Status != 200 {
		t.Errorf("records %+v", recs)
	}
	if a := f.admin("POST", "orders", "{"); a.status != http.StatusBadRequest {
		t.Errorf("bad admin body: %d", a.status)
	}
}

func TestRunActivityPlacesOrdersAtARate(t *testing.T) {
	f := newFixture(t, Config{Now: time.Now}, Catalog{SimpleProducts: 5, Customers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.s.RunActivity(ctx, 500); close(done) }()
	eventually(t, 10*time.Second, func() bool { return len(f.s.Orders()) >= 20 }, "activity placed fewer than 20 orders")
	cancel()
	<-done
	for _, o := range f.s.Orders() {
		checkConsistent(t, o)
	}
}

func TestSystemStatusAndSeedFile(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	var st woocommerce.SystemStatus
	f.call("GET", "/system_status", nil, nil).decode(t, &st)
	if st.Environment.Version != wcVersion || st.Settings.Currency != "USD" {
		t.Errorf("system status %+v", st)
	}
	path := t.TempDir() + "/seed.json"
	seed := `{"products":[{"name":"Cap","sku":"CAP-1","regular_price":"15.00","manage_stock":true,"stock_quantity":4},
		{"name":"Hoodie","type":"variable","sku":"HD","variations":[{"sku":"HD-M","regular_price":"40.00","attributes":[{"name":"Size","option":"M"}]}]}],
		"customers":[{"email":"zoe@example.com","first_name":"Zoë"}]}`
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SeedFromFile(path); err != nil {
		t.Fatal(err)
	}
	var products []woocommerce.Product
	f.call("GET", "/products", url.Values{"sku": {"CAP-1"}}, nil).decode(t, &products)
	if len(products) != 1 || products[0].Price.String() != "15.00" || !products[0].SalePrice.IsBlank() || *products[0].StockQuantity != 4 {
		t.Errorf("seeded product %+v", products)
	}
	if err := os.WriteFile(path, []byte(`{"products":[{"sku":"CAP-1"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SeedFromFile(path); err == nil {
		t.Error("a seed file with a duplicate SKU loaded")
	}
}
