package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	woosim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/internal/demo"
	"github.com/retailsync/retailsync/internal/testenv"
	"github.com/retailsync/retailsync/internal/testwait"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond, an outside process's effects, until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	testwait.Until(t, timeout, 200*time.Millisecond, what, cond)
}

// TestRunFilesWithoutACluster runs the sample YAML through the real binary's `run -f` against both
// simulators: 1,000 storefront orders with an ERP outage in the middle, every paid one in the ERP
// exactly once with the store's total, and a clean stop on SIGINT.
func TestRunFilesWithoutACluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and syncs 1,000 orders")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "retailsync")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = testenv.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building retailsync: %v\n%s", err, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 4)
	store, erp, storeURL, erpURL, err := demo.StartSimulators(ctx, demo.Options{
		StoreAddr: "127.0.0.1:0", ERPAddr: "127.0.0.1:0", Out: io.Discard,
		Catalog: woosim.Catalog{SimpleProducts: 40, VariableProducts: 10, VariationsEach: 5, Customers: 25},
	}, errc)
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := demo.SampleYAML(filepath.Join(testenv.RepoRoot(), "config", "samples"), storeURL, erpURL, "http://127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	// No webhooks reach a run without a cluster (nothing registers them): the poll carries it all.
	yaml = strings.Replace(yaml, "pollInterval: 30s", "pollInterval: 1s", 1)
	file := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	out := &syncBuffer{}
	run := exec.Command(bin, "run", "-f", file, "--data-dir", filepath.Join(dir, "data"), "--interval", "2s")
	run.Stdout, run.Stderr = out, out
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	defer func() {
		if run.ProcessState == nil {
			_ = run.Process.Kill()
		}
	}()

	place := func(n int) {
		for range n {
			if _, err := store.PlaceOrder(store.RandomOrder()); err != nil {
				t.Fatal(err)
			}
		}
	}
	place(500)
	before := erp.Kit().Accounting.Total()
	erp.Kit().Injector.SetOutage(true)
	waitFor(t, time.Minute, "the worker to run into the ERP outage", func() (bool, string) {
		n := erp.Kit().Accounting.Total() - before
		return n >= 10, fmt.Sprintf("%d requests during the outage\n%s", n, tail(out.String()))
	})
	place(250)
	erp.Kit().Injector.SetOutage(false)
	place(250)

	waitFor(t, 4*time.Minute, "every paid order in the ERP exactly once", func() (bool, string) {
		sos := salesOrders(erp)
		for _, o := range store.Orders() {
			id := fmt.Sprint(o.ID)
			switch {
			case !synced[o.Status] && len(sos[id]) > 0:
				t.Fatalf("order %s is %s but reached the ERP", id, o.Status)
			case !synced[o.Status]:
			case len(sos[id]) > 1:
				t.Fatalf("order %s is in the ERP %d times", id, len(sos[id]))
			case len(sos[id]) == 0:
				return false, "order " + id + " not in the ERP yet\n" + tail(out.String())
			default:
				total, err := decimal.NewFromString(fmt.Sprint(sos[id][0]["grand_total"]))
				if err != nil || !total.Equal(o.Total.Decimal()) {
					t.Fatalf("order %s: ERP total %v, store total %s", id, sos[id][0]["grand_total"], o.Total.Decimal())
				}
			}
		}
		return true, ""
	})

	if err := run.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("run did not stop cleanly: %v\n%s", err, tail(out.String()))
		}
	case <-time.After(time.Minute):
		t.Fatalf("run did not stop within a minute of SIGINT\n%s", tail(out.String()))
	}
	printed := out.String()
	if !strings.Contains(printed, "SYNCFLOW") || !strings.Contains(printed, "acme/orders") {
		t.Errorf("no status table in the output:\n%s", tail(printed))
	}
	for _, secret := range []string{"cs_demo_acme", "demo-api-secret"} {
		if strings.Contains(printed, secret) {
			t.Errorf("the output contains the secret %q", secret)
		}
	}
	select {
	case err := <-errc:
		t.Fatalf("a simulator failed: %v", err)
	default:
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
