package sim

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func TestCommandRequiresTheAPIKey(t *testing.T) {
	cmd := NewCommand()
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err == nil {
		t.Error("the command ran without --consumer-key and --consumer-secret")
	}
}

func TestCommandServesASeededStoreWithActivity(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // the command binds the address itself
	cmd := NewCommand()
	if cmd.Name() != "woocommerce" {
		t.Errorf("command name %q", cmd.Name())
	}
	cmd.SetArgs([]string{"--listen", addr, "--consumer-key", testKey, "--consumer-secret", testSecret,
		"--products", "4", "--variable-products", "1", "--variations", "2", "--customers", "2", "--orders-per-second", "100"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	cmd.SetContext(ctx)
	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()

	c, err := woocommerce.New(woocommerce.Config{BaseURL: "http://" + addr,
		Credentials: woocommerce.StaticCredentials{ConsumerKey: testKey, ConsumerSecret: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var products []woocommerce.Product
	eventually(t, 10*time.Second, func() bool {
		products, err = woocommerce.Collect(c.Products(ctx, woocommerce.ListOptions{}))
		return err == nil
	}, "the simulator did not come up")
	if len(products) != 5 {
		t.Errorf("%d products, want 4 simple + 1 variable", len(products))
	}
	eventually(t, 10*time.Second, func() bool {
		o, err := woocommerce.Collect(c.Orders(ctx, woocommerce.ListOptions{}))
		return err == nil && len(o) >= 3
	}, "no storefront orders were placed")
	resp, err := http.Get("http://" + addr + "/__sim/requests")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("sim-only API: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("command ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop when its context ended")
	}
}
