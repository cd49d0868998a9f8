package probe

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
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
