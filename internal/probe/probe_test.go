package probe

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/failure"
)

func TestERPNextProbeAgainstTheSimulator(t *testing.T) {
	srv := httptest.NewServer(erpsim.New(erpsim.Options{APIKey: "key", APISecret: "right-secret"}).Handler())
	defer srv.Close()
	spec := v1alpha1.StoreConnectionSpec{System: v1alpha1.SystemERPNext, URL: srv.URL, AllowInsecureHTTP: true}

	version, err := ERPNext{}.Probe(context.Background(), spec, credentials.Set{"apiKey": []byte("key"), "apiSecret": []byte("right-secret")})
	if err != nil {
		t.Fatalf("probe with good credentials: %v", err)
	}
	if version != "ERPNext "+erpsim.ERPNextVersion {
		t.Errorf("version = %q", version)
	}

	_, err = ERPNext{}.Probe(context.Background(), spec, credentials.Set{"apiKey": []byte("key"), "apiSecret": []byte("wrong-secret")})
	if failure.ReasonOf(err) != failure.ReasonUnauthorized {
		t.Fatalf("probe with a wrong secret: got %v, want Unauthorized", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error leaks the secret: %v", err)
	}

	srv.Close()
	_, err = ERPNext{}.Probe(context.Background(), spec, credentials.Set{"apiKey": []byte("key"), "apiSecret": []byte("right-secret")})
	if fe := failure.Classify(err); fe == nil || fe.Kind != failure.Transient {
		t.Fatalf("probe of a closed server: got %v, want a transient failure", err)
	}
}

func TestWooCommerceProbeAgainstTheSimulator(t *testing.T) {
	store := wcsim.New(wcsim.Config{ConsumerKey: "ck_probe", ConsumerSecret: "cs_right"})
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	// Plain http: the client signs with OAuth 1.0a, as WooCommerce requires without TLS.
	spec := v1alpha1.StoreConnectionSpec{System: v1alpha1.SystemWooCommerce, URL: srv.URL, AllowInsecureHTTP: true}
	good := credentials.Set{"consumerKey": []byte("ck_probe"), "consumerSecret": []byte("cs_right")}

	version, err := WooCommerce{}.Probe(context.Background(), spec, good)
	if err != nil {
		t.Fatalf("probe with good credentials: %v", err)
	}
	if version != "WooCommerce 9.4.2" { // the version the simulator reports in system_status
		t.Errorf("version = %q", version)
	}

	_, err = WooCommerce{}.Probe(context.Background(), spec, credentials.Set{"consumerKey": []byte("ck_probe"), "consumerSecret": []byte("cs_wrong")})
	if failure.ReasonOf(err) != failure.ReasonUnauthorized {
		t.Fatalf("probe with a wrong secret: got %v, want Unauthorized", err)
	}
	if strings.Contains(err.Error(), "cs_wrong") {
		t.Errorf("error leaks the secret: %v", err)
	}

	// The probe uses the connection's auth method: WooCommerce ignores Basic over plain http, so a
	// connection forced to Basic there is told its credentials were not accepted.
	basic := spec
	basic.Auth = &v1alpha1.AuthSpec{Method: v1alpha1.AuthBasic}
	if _, err := (WooCommerce{}).Probe(context.Background(), basic, good); failure.ReasonOf(err) != failure.ReasonUnauthorized {
		t.Errorf("probe with Basic over http: got %v, want Unauthorized", err)
	}

	srv.Close()
	_, err = WooCommerce{}.Probe(context.Background(), spec, good)
	if fe := failure.Classify(err); fe == nil || fe.Kind != failure.Transient {
		t.Fatalf("probe of a closed server: got %v, want a transient failure", err)
	}
}
