package localruntime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/localruntime"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/testenv"
	"github.com/retailsync/retailsync/internal/workerpod"
)

func TestLocalRuntime(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Local worker runtime (envtest)")
}

// fakeWorker stands in for `retailsync worker`: it records how it was started, proves its
// kubeconfig acts as the worker's ServiceAccount, serves a webhook endpoint, reports a heartbeat
// by server-side apply like the real worker, and runs until stopped (or fails when told to).
type fakeWorker struct {
	mu       sync.Mutex
	starts   []localruntime.Spec
	running  int
	failNext map[string]int // crashes to simulate on start, by namespace
}

func (f *fakeWorker) run(ctx context.Context, spec localruntime.Spec) error {
	f.mu.Lock()
	f.starts = append(f.starts, spec)
	ns := workerpod.Arg(spec.Args, workerpod.FlagNamespace)
	fail := f.failNext[ns] > 0
	if fail {
		f.failNext[ns]--
	}
	f.running++
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.running--; f.mu.Unlock() }()
	if fail {
		return errors.New("simulated crash on start")
	}

	w, err := testenv.NewStandInWorker(spec.Args)
	if err != nil {
		return err
	}
	hooks := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(rw, "delivered to "+w.Flow+" at "+r.URL.Path)
	}))
	defer hooks.Close()
	if err := w.Heartbeat(ctx); err != nil {
		return err
	}
	spec.Ready(localruntime.Endpoints{Webhook: strings.TrimPrefix(hooks.URL, "http://")})
	<-ctx.Done()
	return nil
}

func (f *fakeWorker) snapshot() (starts []localruntime.Spec, running int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]localruntime.Spec(nil), f.starts...), f.running
}

var (
	env    *testenv.Env
	k8s    client.Client
	worker = &fakeWorker{failNext: map[string]int{}}
	front  = localruntime.NewFront()
)

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	var err error
	env, err = testenv.Start()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(env.Stop()).To(Succeed()) })
	k8s, err = client.New(env.Config, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())

	ctx, cancel := context.WithCancel(context.Background())
	mgr, err := operator.NewManager(ctx, env.Config, operator.Options{
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		ValidateMappingSet: mapping.Validate, WorkerImage: "retailsync:test",
	})
	Expect(err).NotTo(HaveOccurred())
	rt := &localruntime.Runtime{Client: mgr.GetClient(), Config: env.Config, Run: worker.run, DataRoot: GinkgoT().TempDir(), Front: front}
	Expect(rt.SetupWithManager(mgr)).To(Succeed())
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	DeferCleanup(func() { cancel(); <-done; rt.Stop() })
})

func createFlow(ns string) *v1alpha1.SyncFlow {
	GinkgoHelper()
	Expect(k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	objs := []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop-api"}, StringData: map[string]string{"consumerKey": "ck", "consumerSecret": "cs"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "erp-api"}, StringData: map[string]string{"apiKey": "k", "apiSecret": "s"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unrelated"}, StringData: map[string]string{"password": "p"}},
		&v1alpha1.StoreConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop"}, Spec: v1alpha1.StoreConnectionSpec{
			System: v1alpha1.SystemWooCommerce, URL: "https://shop.example", CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: "shop-api"}}},
		&v1alpha1.StoreConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "erp"}, Spec: v1alpha1.StoreConnectionSpec{
			System: v1alpha1.SystemERPNext, URL: "https://erp.example", CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: "erp-api"}}},
		&v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}},
	}
	flow := &v1alpha1.SyncFlow{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orders"}, Spec: v1alpha1.SyncFlowSpec{
		Flow: v1alpha1.FlowOrders, SourceRef: v1alpha1.LocalObjectReference{Name: "shop"},
		TargetRef: v1alpha1.LocalObjectReference{Name: "erp"}, MappingSetRef: v1alpha1.LocalObjectReference{Name: "acme"}}}
	for _, o := range append(objs, flow) {
		Expect(k8s.Create(context.Background(), o)).To(Succeed())
	}
	return flow
}

func readyStatus(g Gomega, flow *v1alpha1.SyncFlow) *metav1.Condition {
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(flow), flow)).To(Succeed())
	return meta.FindStatusCondition(flow.Status.Conditions, v1alpha1.ConditionReady)
}

func readyReason(g Gomega, flow *v1alpha1.SyncFlow) string {
	if c := readyStatus(g, flow); c != nil {
		return c.Reason
	}
	return ""
}

var _ = Describe("Local runtime", func() {
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)

	It("runs the Deployment's own arguments as the worker's ServiceAccount until the flow is Ready", func(ctx SpecContext) {
		flow := createFlow("rt-ready")
		Eventually(func(g Gomega) {
			ready := readyStatus(g, flow)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Reason).To(Equal("Synced"), ready.Message)
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue))
		}).Should(Succeed())

		dep := &appsv1.Deployment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "rt-ready", Name: "orders-worker"}, dep)).To(Succeed())
		Expect(dep.Status.ReadyReplicas).To(BeEquivalentTo(1))
		starts, _ := worker.snapshot()
		var spec localruntime.Spec
		for _, s := range starts {
			if workerpod.Arg(s.Args, workerpod.FlagNamespace) == "rt-ready" {
				spec = s
			}
		}
		Expect(spec.Args[:len(dep.Spec.Template.Spec.Containers[0].Args)]).To(Equal(dep.Spec.Template.Spec.Containers[0].Args))
		Expect(spec.Env).To(HaveKeyWithValue(workerpod.EnvPodName, "orders-worker-local"))

		// The worker's kubeconfig is its ServiceAccount: its own Secrets yes, another no.
		w, err := testenv.NewStandInWorker(spec.Args)
		Expect(err).NotTo(HaveOccurred())
		c := w.Client
		Expect(c.Get(ctx, client.ObjectKey{Namespace: "rt-ready", Name: "shop-api"}, &corev1.Secret{})).To(Succeed())
		err = c.Get(ctx, client.ObjectKey{Namespace: "rt-ready", Name: "unrelated"}, &corev1.Secret{})
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "got %v", err)

		// The front door routes the flow's webhook path to its worker.
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, workerpod.WebhookPath("rt-ready", "orders"), nil))
		Expect(rec.Code).To(Equal(http.StatusOK))
		Expect(rec.Body.String()).To(Equal("delivered to orders at /rt-ready/orders/woocommerce"))
	})

	It("stops the worker when the flow is suspended and starts it again when resumed", func(ctx SpecContext) {
		flow := createFlow("rt-suspend")
		Eventually(func(g Gomega) { g.Expect(readyReason(g, flow)).To(Equal("Synced")) }).Should(Succeed())
		_, runningBefore := worker.snapshot()

		before := flow.DeepCopy()
		flow.Spec.Suspend = true
		Expect(k8s.Patch(ctx, flow, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) {
			_, running := worker.snapshot()
			g.Expect(running).To(Equal(runningBefore - 1))
			dep := &appsv1.Deployment{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "rt-suspend", Name: "orders-worker"}, dep)).To(Succeed())
			g.Expect(dep.Status.ReadyReplicas).To(BeZero())
		}).Should(Succeed())
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, workerpod.WebhookPath("rt-suspend", "orders"), nil))
		Expect(rec.Code).To(Equal(http.StatusServiceUnavailable))

		before = flow.DeepCopy()
		flow.Spec.Suspend = false
		Expect(k8s.Patch(ctx, flow, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(readyReason(g, flow)).To(Equal("Synced")) }).Should(Succeed())
	})

	It("restarts a worker that exits, as a kubelet would", func() {
		worker.mu.Lock()
		worker.failNext["rt-crash"] = 1
		worker.mu.Unlock()
		flow := createFlow("rt-crash")
		Eventually(func(g Gomega) { g.Expect(readyReason(g, flow)).To(Equal("Synced")) }).Should(Succeed())
		starts, _ := worker.snapshot()
		n := 0
		for _, s := range starts {
			if workerpod.Arg(s.Args, workerpod.FlagNamespace) == "rt-crash" {
				n++
			}
		}
		Expect(n).To(Equal(2), "one crashed start and one that runs")
	})
})
