package controllers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// expectFlowReady waits until the flow's Ready condition has the status and reason, for the current generation.
func expectFlowReady(flow *v1alpha1.SyncFlow, status metav1.ConditionStatus, reason string, messageParts ...string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		ready := cond(g, flow, v1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Reason).To(Equal(reason))
		g.Expect(ready.Status).To(Equal(status))
		g.Expect(ready.ObservedGeneration).To(Equal(flow.Generation))
		g.Expect(flow.Status.ObservedGeneration).To(Equal(flow.Generation))
		for _, part := range messageParts {
			g.Expect(ready.Message).To(ContainSubstring(part))
		}
	}).Should(Succeed())
}

var _ = Describe("SyncFlow", func() {
	It("waits for references applied in any order and recovers by itself when they appear", func() {
		ns := newNamespace()
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotFound", `StoreConnection "shop"`, "spec.sourceRef")

		// The source appears before its Secret: the flow now waits for the source to be Ready.
		create(wooConnection(ns, "shop", "shop-api"))
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotReady", `StoreConnection "shop"`, `Secret "shop-api"`)

		create(wooSecret(ns, "shop-api"))
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotFound", `StoreConnection "erp"`, "spec.targetRef")

		create(erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"))
		expectFlowReady(flow, metav1.ConditionFalse, "MappingSetNotFound", `MappingSet "acme"`)

		create(mappingSet(ns, "acme"))
		// Everything resolves; no kubelet runs pods here, so the worker never becomes available.
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerUnavailable", `Deployment "orders-worker" has 0 of 1 replicas ready`)
		Expect(flow.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionStalled)))
	})

	It("honours suspend and resumes when it is lifted", func(ctx SpecContext) {
		ns := newNamespace()
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"),
			erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"), mappingSet(ns, "acme"))
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		flow.Spec.Suspend = true
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "Suspended", "spec.suspend")
		Expect(cond(Default, flow, v1alpha1.ConditionSuspended).Status).To(Equal(metav1.ConditionTrue))

		flow.Spec.Suspend = false
		Expect(k8s.Update(ctx, flow)).To(Succeed())
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerUnavailable")
		Expect(cond(Default, flow, v1alpha1.ConditionSuspended)).To(BeNil())
	})

	It("is Stalled when the connections run the wrong way for the flow", func() {
		ns := newNamespace()
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"),
			erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"), mappingSet(ns, "acme"))
		// Orders read the store and write the ERP; this flow has them swapped.
		flow := ordersFlow(ns, "orders", "erp", "shop", "acme")
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "InvalidFlowDirection", "WooCommerce as source", `source "erp" is ERPNext`)
		Expect(cond(Default, flow, v1alpha1.ConditionStalled).Status).To(Equal(metav1.ConditionTrue))
	})

	It("follows a reference that stops being Ready", func(ctx SpecContext) {
		ns := newNamespace()
		s := wooSecret(ns, "shop-api")
		create(s, wooConnection(ns, "shop", "shop-api"),
			erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"), mappingSet(ns, "acme"))
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerUnavailable")

		Expect(k8s.Delete(ctx, s)).To(Succeed())
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotReady", `Secret "shop-api"`)
	})

	It("is Stalled, without a worker, when this build cannot run the flow's systems", func(ctx SpecContext) {
		ns := newNamespace()
		odoo := &v1alpha1.StoreConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "odoo"}, Spec: v1alpha1.StoreConnectionSpec{
			System: v1alpha1.SystemOdoo, URL: "https://odoo.acme.example", CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: "odoo-api"}}}
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"),
			secret(ns, "odoo-api", map[string]string{"apiKey": "k"}), odoo, mappingSet(ns, "acme"))
		flow := ordersFlow(ns, "orders", "shop", "odoo", "acme")
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "NotSupported", "does not run Orders flows with Odoo")
		Expect(cond(Default, flow, v1alpha1.ConditionStalled).Status).To(Equal(metav1.ConditionTrue))
		err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "orders-worker"}, &appsv1.Deployment{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no worker for a flow that cannot run: %v", err)
	})
})
