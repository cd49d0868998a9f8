package controllers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/testenv"
)

// The suite runs the real operator wiring against a real kube-apiserver and etcd.
var (
	env        *testenv.Env
	k8s        client.Client
	kubeconfig string
	cancelMgr  context.CancelFunc
	nsCounter  atomic.Int64
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controllers (envtest)")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	var err error
	env, err = testenv.Start()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(env.Stop()).To(Succeed()) })

	kubeconfig = filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(env.WriteKubeconfig(kubeconfig)).To(Succeed())

	k8s, err = client.New(env.Config, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	startStore()

	ctx, cancel := context.WithCancel(context.Background())
	cancelMgr = cancel
	mgr, err := operator.NewManager(ctx, env.Config, operator.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Probers:                fakeProbers(),
		ValidateMappingSet:     mapping.Validate,
		WorkerImage:            workerImage,
		// Look at the store's webhooks on every reconcile, so a webhook the store disabled is seen
		// at the next health recheck rather than minutes later.
		WebhookCheckInterval: time.Nanosecond,
		// As a build whose workers cannot talk to Odoo yet.
		Runs: func(_ v1alpha1.FlowKind, system v1alpha1.System) bool { return system != v1alpha1.SystemOdoo },
	})
	Expect(err).NotTo(HaveOccurred())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	DeferCleanup(func() { cancelMgr() })
})

// fakeProber stands in for the real systems: a URL host starting with "down." does not answer, and a
// consumer secret or API secret starting with "rejected" is refused, as a real endpoint would refuse it.
type fakeProber struct{}

func (fakeProber) Probe(_ context.Context, spec v1alpha1.StoreConnectionSpec, creds credentials.Set) (string, error) {
	if strings.Contains(spec.URL, "://down.") {
		return "", failure.Transientf(failure.ReasonConnection, "dial tcp: connection refused")
	}
	if strings.HasPrefix(creds.Get(v1alpha1.CredentialConsumerSecret), "rejected") || strings.HasPrefix(creds.Get(v1alpha1.CredentialAPISecret), "rejected") {
		return "", &failure.Error{Kind: failure.Permanent, Reason: failure.ReasonUnauthorized, Status: 401, Message: "Consumer secret is invalid."}
	}
	return "9.9.0-fake", nil
}

func fakeProbers() map[v1alpha1.System]controllers.Prober {
	return map[v1alpha1.System]controllers.Prober{
		v1alpha1.SystemWooCommerce: fakeProber{},
		v1alpha1.SystemERPNext:     fakeProber{},
	}
}

// newNamespace gives each test its own namespace.
func newNamespace() string {
	name := fmt.Sprintf("t%d-%d", GinkgoParallelProcess(), nsCounter.Add(1))
	Expect(k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// cond fetches obj and returns one of its conditions, nil when absent.
func cond(g Gomega, obj client.Object, condType string) *metav1.Condition {
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	var conds []metav1.Condition
	switch o := obj.(type) {
	case *v1alpha1.StoreConnection:
		conds = o.Status.Conditions
	case *v1alpha1.SyncFlow:
		conds = o.Status.Conditions
	case *v1alpha1.MappingSet:
		conds = o.Status.Conditions
	default:
		Fail(fmt.Sprintf("no conditions on %T", obj))
	}
	return meta.FindStatusCondition(conds, condType)
}

// statusOf fetches obj and returns a condition's status, "" when absent.
func statusOf(g Gomega, obj client.Object, condType string) metav1.ConditionStatus {
	if c := cond(g, obj, condType); c != nil {
		return c.Status
	}
	return ""
}

const (
	workerImage = "registry.example/retailsync:test"
	timeout     = 30 * time.Second
	interval    = 100 * time.Millisecond
)

func init() {
	SetDefaultEventuallyTimeout(timeout)
	SetDefaultEventuallyPollingInterval(interval)
}
