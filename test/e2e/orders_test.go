package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/shopspring/decimal"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/adapters/erpnext"
	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	woosim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

var flowKey = client.ObjectKey{Namespace: "acme", Name: "orders"}

func flow(g Gomega) *v1alpha1.SyncFlow {
	f := &v1alpha1.SyncFlow{}
	g.Expect(stack.Client.Get(context.Background(), flowKey, f)).To(Succeed())
	return f
}

func ready(g Gomega) *metav1.Condition {
	c := meta.FindStatusCondition(flow(g).Status.Conditions, v1alpha1.ConditionReady)
	g.Expect(c).NotTo(BeNil())
	return c
}

// salesOrders returns an ERP's live Sales Orders by external (store) order id.
func salesOrders(erp *erpsim.Server) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, name := range erp.Names("Sales Order") {
		d, ok := erp.Document("Sales Order", name)
		if !ok || fmt.Sprint(d["docstatus"]) == "2" {
			continue
		}
		id := fmt.Sprint(d[erpnext.FieldExternalOrderID])
		out[id] = append(out[id], d)
	}
	return out
}

// synced are the store statuses the sample MappingSet creates in the ERP (on-hold is skipped there).
var synced = map[string]bool{woocommerce.StatusProcessing: true, woocommerce.StatusCompleted: true}

var _ = Describe("The Orders flow from config/samples", Ordered, func() {
	It("becomes Ready, as kubectl wait sees it", func() {
		out, err := kubectl("wait", "-n", "acme", "--for=condition=Ready", "syncflow/orders", "--timeout=120s")
		Expect(err).NotTo(HaveOccurred(), out)
		out, err = kubectl("get", "sf", "-n", "acme")
		Expect(err).NotTo(HaveOccurred(), out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		Expect(lines).To(HaveLen(2))
		fields := strings.Fields(lines[1])
		Expect(fields[:5]).To(Equal([]string{"orders", "Orders", "acme-shop", "acme-erp", "True"}))
		Expect(fields[5]).To(MatchRegexp(`^\d+s$`), "LAG is shown")
	})

	It("puts every paid order in the ERP exactly once, through bad webhooks and an ERP outage beyond the SLO", func(ctx SpecContext) {
		// A tight SLO so the outage shows as Degraded; the spec change also restarts the worker.
		f := flow(Default)
		before := f.DeepCopy()
		f.Spec.SLO.MaxLag = &metav1.Duration{Duration: 5 * time.Second}
		Expect(stack.Client.Patch(ctx, f, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(ready(g).ObservedGeneration).To(Equal(f.Generation)) }).Should(Succeed())

		stack.Store.SetDelivery(woosim.DeliveryOptions{DuplicateRate: 0.3, DropRate: 0.2, Reorder: true})
		place := func(n int) {
			for range n {
				_, err := stack.Store.PlaceOrder(stack.Store.RandomOrder())
				Expect(err).NotTo(HaveOccurred())
			}
		}
		place(60)
		By("taking the ERP down for longer than the SLO")
		stack.ERP.Kit().Injector.SetOutage(true)
		place(60)
		Eventually(func(g Gomega) {
			c := ready(g)
			g.Expect(c.Reason).To(Equal("LagAboveSLO"), "%s", c.Message)
			g.Expect(meta.IsStatusConditionTrue(flow(g).Status.Conditions, v1alpha1.ConditionDegraded)).To(BeTrue())
		}).Should(Succeed())
		deadBefore := int64(0)
		if d := flow(Default).Status.DeadLetters; d != nil {
			deadBefore = *d
		}
		stack.ERP.Kit().Injector.SetOutage(false)
		place(30)

		By("waiting for every paid order to reach the ERP once")
		Eventually(func(g Gomega) {
			sos := salesOrders(stack.ERP)
			for _, o := range stack.Store.Orders() {
				id := fmt.Sprint(o.ID)
				if !synced[o.Status] {
					g.Expect(sos[id]).To(BeEmpty(), "order %s is %s and must not be in the ERP", id, o.Status)
					continue
				}
				g.Expect(sos[id]).To(HaveLen(1), "order %s (%s)", id, o.Status)
				total, err := decimal.NewFromString(fmt.Sprint(sos[id][0]["grand_total"]))
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(total.Equal(o.Total.Decimal())).To(BeTrue(), "order %s: ERP %s, store %s", id, total, o.Total.Decimal())
			}
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			c := ready(g)
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s", c.Message)
			g.Expect(meta.FindStatusCondition(flow(g).Status.Conditions, v1alpha1.ConditionDegraded)).To(BeNil())
		}).Should(Succeed())
		Expect(*flow(Default).Status.DeadLetters).To(Equal(deadBefore), "the outage dead-lettered nothing")
		stack.Store.SetDelivery(woosim.DeliveryOptions{})
	})

	It("refuses a webhook with a bad signature and hands nothing on", func() {
		body := []byte(`{"id":999999,"date_modified_gmt":"2026-12-04T10:00:00"}`)
		mac := hmac.New(sha256.New, []byte("not-the-secret"))
		mac.Write(body)
		req, err := http.NewRequest(http.MethodPost, stack.FrontURL+workerpod.WebhookPath("acme", "orders"), strings.NewReader(string(body)))
		Expect(err).NotTo(HaveOccurred())
		for k, v := range map[string]string{"Content-Type": "application/json", "X-WC-Webhook-Topic": "order.updated",
			"X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": "updated", "X-WC-Webhook-ID": "1",
			"X-WC-Webhook-Signature": base64.StdEncoding.EncodeToString(mac.Sum(nil))} {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		// A delivery that is taken in is logged ("Took in an order webhook") before it is answered, so
		// by now any trace of order 999999 would be in the log.
		Expect(captured.String()).NotTo(ContainSubstring("999999"), "the forged delivery was handed on")
	})

	It("dead-letters an unmapped SKU, is Stalled naming it, and recovers after the MappingSet and a replay", func(ctx SpecContext) {
		wc, err := woocommerce.New(woocommerce.Config{BaseURL: stack.StoreURL,
			Credentials: woocommerce.StaticCredentials{ConsumerKey: "ck_demo_acme", ConsumerSecret: "cs_demo_acme"}})
		Expect(err).NotTo(HaveOccurred())
		price := woocommerce.NewMoney(decimal.RequireFromString("12.00"))
		mug, err := wc.CreateProduct(ctx, woocommerce.Product{Name: "Mug", SKU: "MUG-001", RegularPrice: price})
		Expect(err).NotTo(HaveOccurred())
		order, err := stack.Store.PlaceOrder(woosim.OrderSpec{
			Billing:       woocommerce.Address{FirstName: "Ana", LastName: "García", City: "San Francisco", State: "CA", Postcode: "94105", Country: "US", Email: "ana@example.com"},
			Lines:         []woosim.LineSpec{{ProductID: mug.ID, Quantity: 1}},
			PaymentMethod: "stripe", Paid: true,
		})
		Expect(err).NotTo(HaveOccurred())

		Eventually(func(g Gomega) {
			c := ready(g)
			g.Expect(c.Reason).To(Equal("DeadLettersNeedAttention"), "%s", c.Message)
			g.Expect(c.Message).To(ContainSubstring(`"MUG-001"`))
			g.Expect(meta.IsStatusConditionTrue(flow(g).Status.Conditions, v1alpha1.ConditionStalled)).To(BeTrue())
		}).Should(Succeed())
		out, err := kubectl("get", "sf", "orders", "-n", "acme", "-o", "jsonpath={.status.deadLetters}")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(Equal("1"))

		By("mapping the SKU and asking for a replay")
		Expect(stack.ERP.AddItem(erpsim.ItemSpec{Code: "MUG-001", Name: "Mug"})).To(Succeed())
		Expect(stack.ERP.MoveStock("MUG-001", "Main - ACME", decimal.NewFromInt(10))).To(Succeed())
		ms := &v1alpha1.MappingSet{}
		Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: "acme"}, ms)).To(Succeed())
		before := ms.DeepCopy()
		ms.Spec.SKUs.Table = append(ms.Spec.SKUs.Table, v1alpha1.SKUPair{Store: "MUG-001", ERP: "MUG-001"})
		Expect(stack.Client.Patch(ctx, ms, client.MergeFrom(before))).To(Succeed())
		out, err = kubectl("annotate", "-n", "acme", "syncflow/orders", v1alpha1.AnnotationReplayAt+"=after-mug-mapping", "--overwrite")
		Expect(err).NotTo(HaveOccurred(), out)

		Eventually(func(g Gomega) {
			g.Expect(salesOrders(stack.ERP)[fmt.Sprint(order.ID)]).To(HaveLen(1))
			c := ready(g)
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s", c.Message)
			g.Expect(flow(g).Status.LastHandledReplayAt).To(Equal("after-mug-mapping"))
			g.Expect(flow(g).Status.DeadLetters).To(HaveValue(BeZero()))
		}).Should(Succeed())
	})

	It("rotates the WooCommerce key under load without failing a request", func(ctx SpecContext) {
		before := flow(Default).Status.Counters.DeepCopy()
		load, stopLoad := context.WithCancel(ctx)
		loadDone := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(loadDone)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-load.Done():
					return
				case <-tick.C:
					_, err := stack.Store.PlaceOrder(stack.Store.RandomOrder())
					Expect(err).NotTo(HaveOccurred())
				}
			}
		}()

		By("adding a new key in the store and putting it in the Secret")
		stack.Store.AddKey("ck_rotated_acme", "cs_rotated_acme")
		s := &corev1.Secret{}
		Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: "acme-shop-api"}, s)).To(Succeed())
		patch := client.MergeFrom(s.DeepCopy())
		s.Data = map[string][]byte{"consumerKey": []byte("ck_rotated_acme"), "consumerSecret": []byte("cs_rotated_acme")}
		Expect(stack.Client.Patch(ctx, s, patch)).To(Succeed())

		By("revoking the old key once the worker verified and swapped in the new one")
		var swapped time.Time
		Eventually(func(g Gomega) {
			g.Expect(captured.String()).To(ContainSubstring("Swapped in verified new credentials"))
			swapped = time.Now()
		}).Should(Succeed())
		// A report written after the swap means every request the worker had in flight with the old
		// key has finished: reports come from the same process, every five seconds.
		Eventually(func(g Gomega) {
			g.Expect(flow(g).Status.Worker.HeartbeatTime.Time).To(BeTemporally(">", swapped.Add(time.Second)))
		}).Should(Succeed())
		stack.Store.RevokeKey("ck_demo_acme")
		placed := len(stack.Store.Orders())
		Eventually(func() int { return len(stack.Store.Orders()) }).Should(BeNumerically(">=", placed+20))
		stopLoad()
		<-loadDone

		Eventually(func(g Gomega) {
			sos := salesOrders(stack.ERP)
			for _, o := range stack.Store.Orders() {
				if synced[o.Status] {
					g.Expect(sos[fmt.Sprint(o.ID)]).To(HaveLen(1), "order %d", o.ID)
				}
			}
		}).Should(Succeed())
		after := flow(Default).Status
		Expect(after.Counters.Failed).To(Equal(before.Failed), "no request failed during the rotation")
		Expect(after.DeadLetters).To(HaveValue(BeZero()))
	})

	It("keeps syncing with the last good key when a rotation puts a wrong one in the Secret", func(ctx SpecContext) {
		s := &corev1.Secret{}
		Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: "acme-shop-api"}, s)).To(Succeed())
		good := s.DeepCopy()
		patch := client.MergeFrom(s.DeepCopy())
		s.Data["consumerSecret"] = []byte("cs_typo_acme")
		Expect(stack.Client.Patch(ctx, s, patch)).To(Succeed())

		By("the operator reporting the rejected credentials")
		conn := &v1alpha1.StoreConnection{}
		Eventually(func(g Gomega) {
			g.Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: "acme-shop"}, conn)).To(Succeed())
			c := meta.FindStatusCondition(conn.Status.Conditions, v1alpha1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal("CredentialsRejected"), "%s", c.Message)
		}).Should(Succeed())
		Eventually(func() string { return captured.String() }).Should(ContainSubstring("Kept the previous credentials"))

		By("orders still reaching the ERP through the running worker")
		placed := map[int64]bool{}
		for range 10 {
			o, err := stack.Store.PlaceOrder(stack.Store.RandomOrder())
			Expect(err).NotTo(HaveOccurred())
			if synced[o.Status] {
				placed[o.ID] = true
			}
		}
		Eventually(func(g Gomega) {
			sos := salesOrders(stack.ERP)
			for id := range placed {
				g.Expect(sos[fmt.Sprint(id)]).To(HaveLen(1), "order %d", id)
			}
		}).Should(Succeed())

		By("fixing the Secret")
		patch = client.MergeFrom(s.DeepCopy())
		s.Data = good.Data
		Expect(stack.Client.Patch(ctx, s, patch)).To(Succeed())
		Eventually(func(g Gomega) {
			c := ready(g)
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s", c.Message)
		}).Should(Succeed())
	})

	It("loses no delivery across a webhook secret rotation", func(ctx SpecContext) {
		before := flow(Default).Status.Webhooks.SecretRotationTime.DeepCopy()
		from := len(stack.Store.Deliveries())

		// Orders keep coming while the secret rotates: the store must never sign a delivery with a
		// secret the worker does not hold yet.
		placing, stopPlacing := context.WithCancel(ctx)
		placed := make(chan int)
		go func() {
			defer GinkgoRecover()
			n := 0
			for placing.Err() == nil {
				_, err := stack.Store.PlaceOrder(stack.Store.RandomOrder())
				Expect(err).NotTo(HaveOccurred())
				n++
				select {
				case <-placing.Done():
				case <-time.After(50 * time.Millisecond): // storefront traffic, not synchronisation
				}
			}
			placed <- n
		}()

		conn := &v1alpha1.StoreConnection{}
		Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: "acme-shop"}, conn)).To(Succeed())
		patch := client.MergeFrom(conn.DeepCopy())
		conn.Spec.Webhooks.SecretRotationInterval = &metav1.Duration{Duration: time.Second}
		Expect(stack.Client.Patch(ctx, conn, patch)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(flow(g).Status.Webhooks.SecretRotationTime.Time).To(BeTemporally(">", before.Time))
		}).Should(Succeed())
		patch = client.MergeFrom(conn.DeepCopy())
		conn.Spec.Webhooks.SecretRotationInterval = &metav1.Duration{Duration: 720 * time.Hour}
		Expect(stack.Client.Patch(ctx, conn, patch)).To(Succeed())
		stopPlacing()
		Expect(<-placed).To(BeNumerically(">", 0))

		// Orders after the rotation are delivered signed with the new secret, and no delivery since
		// the rotation began was refused. (A webhook an earlier spec got disabled delivers nothing
		// until the operator re-activates it, which it does at the rotation; the poll covers the gap.)
		after := len(stack.Store.Deliveries())
		for range 5 {
			_, err := stack.Store.PlaceOrder(stack.Store.RandomOrder())
			Expect(err).NotTo(HaveOccurred())
		}
		Eventually(func(g Gomega) {
			g.Expect(len(stack.Store.Deliveries()) - after).To(BeNumerically(">=", 5))
			for _, d := range stack.Store.Deliveries()[from:] {
				g.Expect(d.Status).To(Equal(http.StatusOK), "delivery %s of %s %d", d.DeliveryID, d.Topic, d.ResourceID)
			}
		}).Should(Succeed())
	})

	It("does not re-read the store's webhooks on every health recheck", func() {
		listWebhooks := func() int64 { return stack.Store.Kit().Accounting.Snapshot()["GET /wp-json/wc/v3/webhooks"] }
		Expect(listWebhooks()).To(BeNumerically(">", 0), "the operator registered the flow's webhooks")
		before := listWebhooks()
		// Longer than the 20 s health recheck: the flow is reconciled at least once meanwhile.
		Consistently(listWebhooks, "25s", "1s").Should(Equal(before))
	})

	It("never logs a secret", func(ctx SpecContext) {
		secrets := []string{"cs_demo_acme", "demo-api-secret", "cs_rotated_acme", "cs_typo_acme"}
		webhook := &corev1.Secret{}
		Expect(stack.Client.Get(ctx, client.ObjectKey{Namespace: "acme", Name: workerpod.WebhookSecretName("orders")}, webhook)).To(Succeed())
		secrets = append(secrets, string(webhook.Data[workerpod.WebhookSecretCurrent]))
		logs := captured.String()
		Expect(logs).NotTo(BeEmpty())
		for _, s := range secrets {
			Expect(s).NotTo(BeEmpty())
			Expect(logs).NotTo(ContainSubstring(s))
		}
	})
})
