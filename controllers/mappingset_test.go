package controllers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

var _ = Describe("MappingSet", func() {
	DescribeTable("schema validation by the API server",
		expectYAMLRejectedThenTwinAccepted,
		Entry("the same store SKU mapped twice", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {skus: {table: [{store: HOODIE-BLK-M, erp: HD-1}, {store: HOODIE-BLK-M, erp: HD-2}]}}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {skus: {table: [{store: HOODIE-BLK-M, erp: HD-1}, {store: HOODIE-BLK-L, erp: HD-2}]}}`,
			"Duplicate value"),
		Entry("a SKU rule with both a pattern and an expression", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {skus: {rules: [{pattern: "WC-(.*)", replacement: "$1", expression: "sku"}]}}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {skus: {rules: [{pattern: "WC-(.*)", replacement: "$1"}]}}`,
			"set exactly one of pattern or expression"),
		Entry("a shipping method mapped to an item and an account", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {shippingMethods: [{store: flat_rate, item: Shipping, account: "Freight Out - ACME"}]}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {shippingMethods: [{store: flat_rate, item: Shipping}]}`,
			"set exactly one of item or account"),
		Entry("a partially shipped order shown as completed", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {orderStatuses: {toStore: [{erp: PartiallyShipped, store: completed}]}}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {orderStatuses: {toStore: [{erp: Shipped, store: completed}]}}`,
			"a partially shipped order must not be marked completed"),
		Entry("an allocation above 100 percent", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {locations: [{warehouse: "Main - ACME", allocationPercent: 150}]}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {locations: [{warehouse: "Main - ACME", allocationPercent: 100}]}`,
			"spec.locations[0].allocationPercent"),
		Entry("a currency that is not ISO 4217", `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {currency: {code: usd}}`, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec: {currency: {code: USD}}`,
			"spec.currency.code"),
	)

	It("reports a CEL expression that does not compile with its path, and recovers when fixed", func(ctx SpecContext) {
		ns := newNamespace()
		Expect(applyYAML(ns, `
apiVersion: retailsync.io/v1alpha1
kind: MappingSet
metadata: {name: acme}
spec:
  company: ACME
  expressions:
    - {field: order.remarks, expression: 'order.nubmer + " via WooCommerce"'}`)).To(Succeed())
		ms := &v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}}
		Eventually(func(g Gomega) {
			ready := cond(g, ms, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal(v1alpha1.MappingSetInvalidReason))
			g.Expect(statusOf(g, ms, v1alpha1.ConditionStalled)).To(Equal(metav1.ConditionTrue))
			g.Expect(ms.Status.ErrorCount).To(BeEquivalentTo(1))
			g.Expect(ms.Status.Errors).To(ConsistOf(And(
				HaveField("Path", "spec.expressions[0].expression"),
				HaveField("Message", ContainSubstring("nubmer")))))
		}).Should(Succeed())

		// A flow that uses it waits, naming it.
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"), erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"))
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		create(flow)
		expectFlowReady(flow, metav1.ConditionFalse, "MappingSetNotReady", `MappingSet "acme" is not Ready`, "spec.expressions[0].expression")

		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ms), ms)).To(Succeed())
		before := ms.DeepCopy()
		ms.Spec.Expressions[0].Expression = `order.number + " via WooCommerce"`
		Expect(k8s.Patch(ctx, ms, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(statusOf(g, ms, v1alpha1.ConditionReady)).To(Equal(metav1.ConditionTrue))
			g.Expect(ms.Status.Errors).To(BeEmpty())
			g.Expect(ms.Status.ErrorCount).To(BeZero())
			g.Expect(cond(g, ms, v1alpha1.ConditionStalled)).To(BeNil())
		}).Should(Succeed())
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerUnavailable")
	})

	It("accepts the sample from config/samples", func() {
		ns := newNamespace()
		doc := readSample("retailsync_v1alpha1_mappingset.yaml")
		Expect(applyYAML(ns, doc)).To(Succeed())
		ms := &v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}}
		Eventually(func(g Gomega) {
			ready := cond(g, ms, v1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "%s", ready.Message)
		}).Should(Succeed())
	})
})
