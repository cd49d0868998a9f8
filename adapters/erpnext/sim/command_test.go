package sim_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

func TestStartServesUntilTheContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Options{APIKey: key, APISecret: secret})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Start(ctx, ln) }()

	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/method/frappe.auth.get_logged_user", nil)
	req.Header.Set("Authorization", "token "+key+":"+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HTTP %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Start returned %v after the context ended, want nil", err)
	}
}

func TestCommandNeedsCredentials(t *testing.T) {
	cmd := sim.NewCommand()
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.ExecuteContext(context.Background()); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("running without --api-key and --api-secret: %v, want a usage error", err)
	}
	if cmd.Name() != "erpnext" {
		t.Errorf("command name %q, want erpnext", cmd.Name())
	}
}
