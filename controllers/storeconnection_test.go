package controllers_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

var _ = Describe("StoreConnection", func() {
	It("reports a missing Secret, then a missing key, then becomes Ready as soon as the Secret is complete", func(ctx SpecContext) {
		ns := newNamespace()
		conn := wooConnection(ns, "shop", "shop-api")
		create(conn)

		Eventually(func(g Gomega) {
			ready := cond(g, conn, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal("SecretNotFound"))
			g.Expect(ready.Message).To(ContainSubstring(`Secret "shop-api"`))
			g.Expect(ready.ObservedGeneration).To(Equal(conn.Generation))
			g.Expect(conn.Status.ObservedGeneration).To(Equal(conn.Generation))
		}).Should(Succeed())

		// The Secret appears without the secret half: the message names the key, never a value.
		s := secret(ns, "shop-api", map[string]string{"consumerKey": "ck_live_visible_only_here"})
		create(s)
		Eventually(func(g Gomega) {
			ready := cond(g, conn, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Reason).To(Equal("SecretKeyMissing"))
			g.Expect(ready.Message).To(ContainSubstring(`"consumerSecret"`))
			g.Expect(ready.Message).NotTo(ContainSubstring("ck_live_visible_only_here"))
		}).Should(Succeed())

		s.Data["consumerSecret"] = []byte("cs_live")
		Expect(k8s.Update(ctx, s)).To(Succeed())
		Eventually(func(g Gomega) {
			ready := cond(g, conn, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(statusOf(g, conn, v1alpha1.ConditionCredentialsReady)).To(Equal(metav1.ConditionTrue))
			g.Expect(statusOf(g, conn, v1alpha1.ConditionReachable)).To(Equal(metav1.ConditionTrue))
			g.Expect(conn.Status.Credentials.Fingerprint).To(HavePrefix("sha256:"))
			g.Expect(conn.Status.Credentials.LastVerifiedTime).NotTo(BeNil())
			g.Expect(conn.Status.System.Version).To(Equal("9.9.0-fake"))
			g.Expect(conn.Status.LastProbe).NotTo(BeNil())
		}).Should(Succeed())
		Expect(conn.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionStalled)))
		Expect(conn.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionReconciling)))
	})

	It("updates the fingerprint and rotation time when the Secret rotates, with an Event", func(ctx SpecContext) {
		ns := newNamespace()
		s := wooSecret(ns, "shop-api")
		conn := wooConnection(ns, "shop", "shop-api")
		create(s, conn)

		var first v1alpha1.CredentialsStatus
		Eventually(func(g Gomega) {
			g.Expect(statusOf(g, conn, v1alpha1.ConditionReady)).To(Equal(metav1.ConditionTrue))
			first = *conn.Status.Credentials
		}).Should(Succeed())

		// Rotation times have whole seconds: rotate in a later second than the first, so a rotation
		// time left unchanged shows.
		Eventually(func() time.Time { return time.Now() }).Should(BeTemporally(">=", first.LastRotationTime.Add(time.Second)))
		s.Data["consumerSecret"] = []byte("cs_rotated")
		Expect(k8s.Update(ctx, s)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(conn), conn)).To(Succeed())
			g.Expect(conn.Status.Credentials.Fingerprint).NotTo(Equal(first.Fingerprint))
			g.Expect(conn.Status.Credentials.LastRotationTime.Time).To(BeTemporally(">", first.LastRotationTime.Time))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			var events eventsv1.EventList
			g.Expect(k8s.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
			g.Expect(events.Items).To(ContainElement(And(
				HaveField("Reason", "CredentialsRotated"),
				HaveField("Regarding.Name", "shop"),
				HaveField("Note", Not(ContainSubstring("cs_rotated"))),
			)))
		}).Should(Succeed())
	})

	It("is Stalled when the endpoint rejects the credentials, and recovers when they are fixed", func(ctx SpecContext) {
		ns := newNamespace()
		s := secret(ns, "shop-api", map[string]string{"consumerKey": "ck", "consumerSecret": "rejected-cs_7ZqK41"})
		conn := wooConnection(ns, "shop", "shop-api")
		create(s, conn)
		Eventually(func(g Gomega) {
			g.Expect(statusOf(g, conn, v1alpha1.ConditionStalled)).To(Equal(metav1.ConditionTrue))
			ready := cond(g, conn, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal("CredentialsRejected"))
			g.Expect(ready.Message).To(ContainSubstring(`Secret "shop-api"`))
			g.Expect(ready.Message).NotTo(ContainSubstring("cs_7ZqK41"), "the credential's value")
		}).Should(Succeed())

		s.Data["consumerSecret"] = []byte("cs_good")
		Expect(k8s.Update(ctx, s)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(statusOf(g, conn, v1alpha1.ConditionReady)).To(Equal(metav1.ConditionTrue))
			g.Expect(conn.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionStalled)))
		}).Should(Succeed())
	})

	It("says an unreachable endpoint is not Ready, naming the URL", func() {
		ns := newNamespace()
		conn := erpConnection(ns, "erp", "erp-api")
		conn.Spec.URL = "https://down.erp.acme.example"
		create(erpSecret(ns, "erp-api"), conn)
		Eventually(func(g Gomega) {
			ready := cond(g, conn, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal("Unreachable"))
			g.Expect(ready.Message).To(ContainSubstring("https://down.erp.acme.example"))
			g.Expect(statusOf(g, conn, v1alpha1.ConditionCredentialsReady)).To(Equal(metav1.ConditionTrue))
		}).Should(Succeed())
	})
})
