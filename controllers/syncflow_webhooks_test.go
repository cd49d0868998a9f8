package controllers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// The webhook specs run against a simulated WooCommerce store on loopback, and a stand-in for the
// public webhook endpoint (an Ingress in front of the workers) whose answer each flow's path sets.
var (
	store    *wcsim.Sim
	storeURL string
	hooks    *hookEndpoint
)

const (
	storeKey    = "ck_webhooks"
	storeSecret = "cs_webhooks"
)

// startStore starts the simulated store and the webhook endpoint for the suite.
func startStore() {
	store = wcsim.New(wcsim.Config{ConsumerKey: storeKey, ConsumerSecret: storeSecret, Seed: 7})
	Expect(store.Seed(wcsim.Catalog{SimpleProducts: 5})).To(Succeed())
	srv := httptest.NewServer(store.Handler())
	DeferCleanup(srv.Close)
	storeURL = srv.URL
	hooks = &hookEndpoint{status: map[string]int{}}
	hooks.Server = httptest.NewServer(hooks)
	DeferCleanup(hooks.Close)
}

// hookEndpoint answers 200 to every delivery unless a path was told to fail.
type hookEndpoint struct {
	*httptest.Server
	mu     sync.Mutex
	status map[string]int
}

func (h *hookEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	status, ok := h.status[r.URL.Path]
	h.mu.Unlock()
	if !ok {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func (h *hookEndpoint) answer(path string, status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status[path] = status
}

// webhookFlow creates an Orders flow triggered by webhooks, its store connection (the simulator,
// with webhooks delivering to the stand-in endpoint), its ERP connection and MappingSet.
func webhookFlow(ns string, mutateConn ...func(*v1alpha1.StoreConnection)) *v1alpha1.SyncFlow {
	conn := wooConnection(ns, "shop", "shop-api")
	conn.Spec.URL, conn.Spec.AllowInsecureHTTP = storeURL, true
	// A trailing slash, as people write it: the delivery URL must not get a double one.
	conn.Spec.Webhooks = &v1alpha1.WebhookSpec{PublicURL: hooks.URL + "/"}
	for _, m := range mutateConn {
		m(conn)
	}
	create(secret(ns, "shop-api", map[string]string{"consumerKey": storeKey, "consumerSecret": storeSecret}), conn,
		erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"), mappingSet(ns, "acme"))
	flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
	flow.Spec.Trigger.Webhook = true
	create(flow)
	return flow
}

func hookURL(ns string) string { return hooks.URL + workerpod.WebhookPath(ns, "orders") }

// storeWebhooks returns the store's webhooks delivering to the flow in ns.
func storeWebhooks(ns string) []wcsim.WebhookState {
	var out []wcsim.WebhookState
	for _, h := range store.Webhooks() {
		if h.DeliveryURL == hookURL(ns) {
			out = append(out, h)
		}
	}
	return out
}

// webhookSecret waits for the flow's webhook Secret and returns it.
func webhookSecret(g Gomega, ns string) *corev1.Secret {
	s := &corev1.Secret{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: workerpod.WebhookSecretName("orders")}, s)).To(Succeed())
	return s
}

// workerLoadsSecret does what the worker does when it reads its webhook Secret: it reports the
// rotation time of the secret it now verifies deliveries with.
func workerLoadsSecret(g Gomega, ns string) {
	s := &corev1.Secret{}
	g.Expect(workerClient(ns).Get(context.Background(), client.ObjectKey{Namespace: ns, Name: workerpod.WebhookSecretName("orders")}, s)).To(Succeed())
	report(ns, map[string]any{"worker": map[string]any{"webhookSecretTime": string(s.Data[workerpod.WebhookSecretRotatedAt])}})
}

// expectStoreSignsWithCurrent has the worker load its webhook Secret and waits until the flow has one
// active webhook per topic in the store, each with the Secret's current secret, and returns that
// secret.
func expectStoreSignsWithCurrent(ns string) string {
	GinkgoHelper()
	var current string
	Eventually(func(g Gomega) {
		current = string(webhookSecret(g, ns).Data[workerpod.WebhookSecretCurrent])
		workerLoadsSecret(g, ns)
		g.Expect(storeWebhooks(ns)).To(ConsistOf(
			And(HaveField("Topic", "order.created"), HaveField("Status", "active"), HaveField("Secret", current)),
			And(HaveField("Topic", "order.updated"), HaveField("Status", "active"), HaveField("Secret", current)),
		))
	}).Should(Succeed())
	return current
}

// webhooksReady reads the flow's WebhooksReady condition, failing g while it is absent.
func webhooksReady(g Gomega, flow *v1alpha1.SyncFlow) metav1.Condition {
	c := cond(g, flow, v1alpha1.ConditionWebhooksReady)
	g.Expect(c).NotTo(BeNil())
	return *c
}

func flowEvents(g Gomega, ns string) []eventsv1.Event {
	var events eventsv1.EventList
	g.Expect(k8s.List(context.Background(), &events, client.InNamespace(ns))).To(Succeed())
	return events.Items
}

var _ = Describe("SyncFlow webhooks", func() {
	It("registers one webhook per topic with a secret of the flow's own, which only its worker may read", func(ctx SpecContext) {
		ns := newNamespace()
		flow := webhookFlow(ns)

		// No webhook is registered before the worker holds the secret: every delivery would be refused.
		Eventually(func(g Gomega) {
			g.Expect(webhooksReady(g, flow)).To(And(
				HaveField("Reason", controllers.ReasonWebhookWaitingOnWorker), HaveField("Status", metav1.ConditionFalse)))
		}).Should(Succeed())
		Expect(storeWebhooks(ns)).To(BeEmpty())

		current := expectStoreSignsWithCurrent(ns)

		s := webhookSecret(Default, ns)
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
		Expect(s.OwnerReferences).To(ConsistOf(And(HaveField("UID", flow.UID), HaveField("Controller", HaveValue(BeTrue())))))
		raw, err := base64.StdEncoding.DecodeString(current)
		Expect(err).NotTo(HaveOccurred())
		Expect(raw).To(HaveLen(32))
		Expect(s.Data).To(HaveKeyWithValue(workerpod.WebhookSecretPrevious, BeEmpty()))
		rotatedAt, err := time.Parse(time.RFC3339, string(s.Data[workerpod.WebhookSecretRotatedAt]))
		Expect(err).NotTo(HaveOccurred())
		Expect(rotatedAt).To(BeTemporally("~", time.Now(), time.Minute))

		Expect(storeWebhooks(ns)).To(HaveEach(And(
			HaveField("Name", ContainSubstring("retailsync "+ns+"/orders")), HaveField("APIVersion", "wp_api_v3"))))
		Expect(flow.Finalizers).To(ContainElement(controllers.FinalizerWebhooks))
		Eventually(func(g Gomega) {
			g.Expect(webhooksReady(g, flow).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(flow.Status.Webhooks).NotTo(BeNil())
			g.Expect(flow.Status.Webhooks.DeliveryURL).To(Equal(hookURL(ns)))
			g.Expect(flow.Status.Webhooks.Registered).To(HaveLen(2))
		}).Should(Succeed())

		// The worker's Role names the Secret, and the worker can read it.
		role := &rbacv1.Role{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "orders-worker"}, role)).To(Succeed())
		Expect(role.Rules).To(ContainElement(And(HaveField("Resources", ConsistOf("secrets")),
			HaveField("ResourceNames", ContainElement(workerpod.WebhookSecretName("orders"))))))
		Eventually(func() error {
			return workerClient(ns).Get(ctx, client.ObjectKeyFromObject(s), &corev1.Secret{})
		}).Should(Succeed())

		// The secret appears nowhere but in its Secret and the store.
		status, err := json.Marshal(flow.Status)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(status)).NotTo(ContainSubstring(current))
		for _, e := range flowEvents(Default, ns) {
			Expect(e.Note).NotTo(ContainSubstring(current))
		}
	})

	It("rotates the secret: previous takes the old one, and the store signs with the new one", func(ctx SpecContext) {
		ns := newNamespace()
		webhookFlow(ns)
		first := expectStoreSignsWithCurrent(ns)

		watcher, err := client.NewWithWatch(env.Config, client.Options{Scheme: operator.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		w, err := watcher.Watch(ctx, &corev1.SecretList{}, client.InNamespace(ns))
		Expect(err).NotTo(HaveOccurred())
		defer w.Stop()

		setRotation := func(interval string) {
			GinkgoHelper()
			conn := &v1alpha1.StoreConnection{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop"}, conn)).To(Succeed())
			before := conn.DeepCopy()
			conn.Spec.Webhooks.SecretRotationInterval = dur(interval)
			Expect(k8s.Patch(ctx, conn, client.MergeFrom(before))).To(Succeed())
		}
		setRotation("1s")

		// Every version of the Secret is seen through the watch: the first with a new current secret
		// must keep the old one as previous, so deliveries signed before the rotation still verify.
		var rotated *corev1.Secret
		for rotated == nil {
			var ev watch.Event
			Eventually(w.ResultChan()).Should(Receive(&ev))
			s, ok := ev.Object.(*corev1.Secret)
			if ok && s.Name == workerpod.WebhookSecretName("orders") && string(s.Data[workerpod.WebhookSecretCurrent]) != first {
				rotated = s
			}
		}
		Expect(string(rotated.Data[workerpod.WebhookSecretPrevious])).To(Equal(first))
		setRotation("720h")

		// Until the worker has loaded the new secret the store keeps signing with the old one, which
		// the worker still accepts as previous.
		Consistently(func(g Gomega) {
			g.Expect(storeWebhooks(ns)).To(HaveEach(HaveField("Secret", first)))
		}, "3s").Should(Succeed())

		Eventually(func(g Gomega) {
			workerLoadsSecret(g, ns)
			s := webhookSecret(g, ns)
			current, previous := string(s.Data[workerpod.WebhookSecretCurrent]), string(s.Data[workerpod.WebhookSecretPrevious])
			g.Expect(previous).NotTo(BeEmpty())
			g.Expect(previous).NotTo(Equal(current))
			g.Expect(storeWebhooks(ns)).To(HaveEach(HaveField("Secret", current)))
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(flowEvents(g, ns)).To(ContainElement(And(HaveField("Reason", "WebhookSecretRotated"), HaveField("Type", "Normal"))))
		}).Should(Succeed())
	})

	It("re-activates a webhook WooCommerce disabled after failed deliveries once the worker is up, with a Warning Event", func(ctx SpecContext) {
		ns := newNamespace()
		flow := webhookFlow(ns)
		expectStoreSignsWithCurrent(ns)

		// The endpoint fails and orders keep coming: WooCommerce disables the webhook.
		hooks.answer(workerpod.WebhookPath(ns, "orders"), http.StatusServiceUnavailable)
		Eventually(func(g Gomega) {
			_, err := store.PlaceOrder(store.RandomOrder())
			g.Expect(err).NotTo(HaveOccurred())
			store.DeliverPending(ctx)
			g.Expect(storeWebhooks(ns)).To(ContainElement(HaveField("Status", woocommerce.WebhookDisabled)))
		}).Should(Succeed())

		// With no worker available, re-activating would only have it disabled again at the next
		// delivery: the flow says the webhook is down, and waits.
		Eventually(func(g Gomega) {
			g.Expect(webhooksReady(g, flow)).To(And(
				HaveField("Reason", controllers.ReasonWebhookDisabled), HaveField("Status", metav1.ConditionFalse)))
		}).WithTimeout(time.Minute).Should(Succeed())
		Expect(storeWebhooks(ns)).To(ContainElement(HaveField("Status", woocommerce.WebhookDisabled)))

		hooks.answer(workerpod.WebhookPath(ns, "orders"), http.StatusOK)
		markAvailable(workerDeployment(ns), 1)
		Eventually(func(g Gomega) {
			g.Expect(storeWebhooks(ns)).To(HaveEach(HaveField("Status", woocommerce.WebhookActive)))
			g.Expect(statusOf(g, flow, v1alpha1.ConditionWebhooksReady)).To(Equal(metav1.ConditionTrue))
			g.Expect(flowEvents(g, ns)).To(ContainElement(And(
				HaveField("Type", "Warning"), HaveField("Reason", controllers.ReasonWebhookDisabled),
				HaveField("Regarding.Name", "orders"), HaveField("Note", ContainSubstring("re-activated")))))
		}).Should(Succeed())
	})

	It("deletes its webhooks from the store when deleted, retrying while the store is down", func(ctx SpecContext) {
		ns := newNamespace()
		flow := webhookFlow(ns)
		expectStoreSignsWithCurrent(ns)

		store.Kit().Injector.SetOutage(true)
		DeferCleanup(func() { store.Kit().Injector.SetOutage(false) })
		Expect(k8s.Delete(ctx, flow)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(webhooksReady(g, flow).Reason).To(Equal(controllers.ReasonWebhookCleanupPending))
		}).Should(Succeed())
		Expect(storeWebhooks(ns)).To(HaveLen(2))

		store.Kit().Injector.SetOutage(false)
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(flow), &v1alpha1.SyncFlow{}))
		}).Should(BeTrue())
		Expect(storeWebhooks(ns)).To(BeEmpty())
	})

	It("lets a deleted flow go, naming the webhooks left behind, when its store connection is already gone", func(ctx SpecContext) {
		ns := newNamespace()
		flow := webhookFlow(ns)
		expectStoreSignsWithCurrent(ns)
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
			g.Expect(flow.Status.Webhooks).NotTo(BeNil())
			g.Expect(flow.Status.Webhooks.Registered).To(HaveLen(2))
		}).Should(Succeed())
		ids := flow.Status.Webhooks.Registered

		Expect(k8s.Delete(ctx, &v1alpha1.StoreConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop"}})).To(Succeed())
		Expect(k8s.Delete(ctx, flow)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(flow), &v1alpha1.SyncFlow{}))
		}).Should(BeTrue())
		Eventually(func(g Gomega) {
			g.Expect(flowEvents(g, ns)).To(ContainElement(And(
				HaveField("Type", "Warning"), HaveField("Reason", controllers.ReasonWebhooksLeftBehind),
				HaveField("Note", And(ContainSubstring(`StoreConnection "shop" is gone`),
					ContainSubstring(strconv.FormatInt(ids[0].ID, 10)), ContainSubstring(strconv.FormatInt(ids[1].ID, 10)))))))
		}).Should(Succeed())
	})

	It("moves its webhooks when the connection's publicURL changes", func(ctx SpecContext) {
		ns := newNamespace()
		webhookFlow(ns)
		current := expectStoreSignsWithCurrent(ns)

		conn := &v1alpha1.StoreConnection{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop"}, conn)).To(Succeed())
		before := conn.DeepCopy()
		conn.Spec.Webhooks.PublicURL = hooks.URL + "/edge"
		Expect(k8s.Patch(ctx, conn, client.MergeFrom(before))).To(Succeed())
		moved := hooks.URL + "/edge" + workerpod.WebhookPath(ns, "orders")
		Eventually(func(g Gomega) {
			g.Expect(storeWebhooks(ns)).To(BeEmpty())
			var at []string
			for _, h := range store.Webhooks() {
				if h.DeliveryURL == moved {
					g.Expect(h.Secret).To(Equal(current))
					at = append(at, h.Topic)
				}
			}
			g.Expect(at).To(ConsistOf("order.created", "order.updated"))
		}).Should(Succeed())
	})

	It("deletes its webhooks, Secret and finalizer when webhooks are turned off, once the store answers", func(ctx SpecContext) {
		ns := newNamespace()
		flow := webhookFlow(ns)
		expectStoreSignsWithCurrent(ns)

		store.Kit().Injector.SetOutage(true)
		DeferCleanup(func() { store.Kit().Injector.SetOutage(false) })
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
		before := flow.DeepCopy()
		flow.Spec.Trigger.Webhook = false
		Expect(k8s.Patch(ctx, flow, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(webhooksReady(g, flow).Reason).To(Equal(controllers.ReasonWebhookCleanupPending))
			g.Expect(flow.Finalizers).To(ContainElement(controllers.FinalizerWebhooks))
		}).Should(Succeed())

		store.Kit().Injector.SetOutage(false)
		Eventually(func(g Gomega) {
			g.Expect(storeWebhooks(ns)).To(BeEmpty())
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
			g.Expect(flow.Finalizers).NotTo(ContainElement(controllers.FinalizerWebhooks))
			g.Expect(flow.Status.Webhooks).To(BeNil())
			g.Expect(cond(g, flow, v1alpha1.ConditionWebhooksReady)).To(BeNil())
			err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: workerpod.WebhookSecretName("orders")}, &corev1.Secret{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "webhook Secret still there: %v", err)
		}).WithTimeout(time.Minute).Should(Succeed(), "retried on the health recheck")
	})
})
