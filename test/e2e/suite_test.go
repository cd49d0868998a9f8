// Package e2e runs the whole product the way a user meets it: a real API server, the operator, the
// local worker runtime running the real `worker` command from the Deployments the operator writes,
// and the WooCommerce and ERPNext simulators, driven by applying the YAML in config/samples.
package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/retailsync/retailsync/internal/demo"
	"github.com/retailsync/retailsync/internal/testenv"
	"github.com/retailsync/retailsync/internal/wiring"
	"github.com/retailsync/retailsync/internal/workercmd"
)

func TestEndToEnd(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "End to end (envtest + operator + local runtime + simulators)")
}

// logs keeps every line the operator and the workers log, to prove no secret reaches them.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	GinkgoWriter.Write(p)
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var (
	stack    *demo.Stack
	captured = &logs{}
)

var _ = BeforeSuite(func() {
	log := zap.New(zap.WriteTo(captured), zap.UseDevMode(true))
	ctrl.SetLogger(log)
	var err error
	stack, err = demo.Start(context.Background(), demo.Options{
		StateDir:   GinkgoT().TempDir(),
		SamplesDir: filepath.Join(testenv.RepoRoot(), "config", "samples"),
		StoreAddr:  "127.0.0.1:0", ERPAddr: "127.0.0.1:0", FrontAddr: "127.0.0.1:0",
		Runner:  workercmd.LocalRunner(log.WithName("worker")),
		Probers: wiring.Probers(), Runs: wiring.WorkersRun,
		Out: GinkgoWriter,
	})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(stack.Stop)
	SetDefaultEventuallyTimeout(2 * time.Minute)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
})

// kubectl runs the kubectl built from the Go module proxy against the suite's API server.
func kubectl(args ...string) (string, error) {
	out, err := exec.Command(testenv.Binary("kubectl"), append([]string{"--kubeconfig", stack.Kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}
