package controllers_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// readyFlow creates a complete Orders flow with its connections and MappingSet.
func readyFlow(ns string, mutate ...func(*v1alpha1.SyncFlow)) *v1alpha1.SyncFlow {
	create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"),
		erpSecret(ns, "erp-api"), erpConnection(ns, "erp", "erp-api"), mappingSet(ns, "acme"))
	flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
	for _, m := range mutate {
		m(flow)
	}
	create(flow)
	return flow
}

// workerDeployment waits for the flow's worker Deployment.
func workerDeployment(ns string) *appsv1.Deployment {
	GinkgoHelper()
	dep := &appsv1.Deployment{}
	Eventually(func() error {
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "orders-worker"}, dep)
	}).Should(Succeed())
	return dep
}

// markAvailable does what a kubelet and the Deployment controller would: report ready replicas.
func markAvailable(dep *appsv1.Deployment, replicas int32) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(dep), dep); err != nil {
			return err
		}
		dep.Status.Replicas, dep.Status.ReadyReplicas, dep.Status.AvailableReplicas = replicas, replicas, replicas
		dep.Status.ObservedGeneration = dep.Generation
		return k8s.Status().Update(context.Background(), dep)
	}).Should(Succeed())
}

// setSuspend sets the flow's spec.suspend.
func setSuspend(flow *v1alpha1.SyncFlow, suspend bool) {
	GinkgoHelper()
	Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(flow), flow)).To(Succeed())
	before := flow.DeepCopy()
	flow.Spec.Suspend = suspend
	Expect(k8s.Patch(context.Background(), flow, client.MergeFrom(before))).To(Succeed())
}

// expectReplicas waits until the Deployment asks for n replicas.
func expectReplicas(dep *appsv1.Deployment, n int32) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(dep), dep)).To(Succeed())
		g.Expect(dep.Spec.Replicas).To(HaveValue(Equal(n)))
	}).Should(Succeed())
}

// workerClient acts as the flow's worker ServiceAccount would, through impersonation.
func workerClient(ns string) client.Client {
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":orders-worker"}
	c, err := client.New(cfg, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// report applies a worker status report the way the worker does: server-side apply of status fields
// with the worker's own field manager, as the worker's ServiceAccount.
func report(ns string, status map[string]any) {
	GinkgoHelper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "SyncFlow",
		"metadata": map[string]any{"name": "orders", "namespace": ns},
		"status":   status,
	}}
	Expect(workerClient(ns).Status().Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(workerpod.FieldManager), client.ForceOwnership)).To(Succeed())
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

var _ = Describe("SyncFlow worker", func() {
	It("creates the worker's objects with owner references, a restricted pod and the flow's settings", func(ctx SpecContext) {
		ns := newNamespace()
		flow := readyFlow(ns)
		dep := workerDeployment(ns)
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())

		owner := HaveField("OwnerReferences", ConsistOf(And(
			HaveField("Kind", "SyncFlow"), HaveField("Name", "orders"), HaveField("UID", flow.UID),
			HaveField("Controller", HaveValue(BeTrue())))))
		Expect(dep.ObjectMeta).To(owner)
		for _, obj := range []client.Object{&corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{}, &corev1.Service{}, &corev1.PersistentVolumeClaim{}} {
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "orders-worker"}, obj)).To(Succeed(), "%T", obj)
			Expect(obj.GetOwnerReferences()).To(HaveLen(1), "%T", obj)
			Expect(obj.GetOwnerReferences()[0].UID).To(Equal(flow.UID))
		}

		Expect(*dep.Spec.Replicas).To(BeEquivalentTo(1))
		Expect(dep.Spec.Strategy.Type).To(Equal(appsv1.RecreateDeploymentStrategyType), "one writer for the embedded store")
		pod := dep.Spec.Template.Spec
		Expect(pod.ServiceAccountName).To(Equal("orders-worker"))
		Expect(*pod.SecurityContext.RunAsNonRoot).To(BeTrue())
		Expect(pod.Containers).To(HaveLen(1))
		c := pod.Containers[0]
		Expect(c.Image).To(Equal(workerImage))
		Expect(c.Args).To(Equal([]string{"worker", "--namespace", ns, "--syncflow", "orders", "--data-dir", "/var/lib/retailsync"}))
		Expect(*c.SecurityContext.ReadOnlyRootFilesystem).To(BeTrue())
		Expect(*c.SecurityContext.AllowPrivilegeEscalation).To(BeFalse())
		Expect(c.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
		Expect(c.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
		Expect(c.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
		Expect(c.VolumeMounts).To(ContainElement(HaveField("MountPath", "/var/lib/retailsync")))

		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
			g.Expect(flow.Status.Worker).NotTo(BeNil())
			g.Expect(flow.Status.Worker.Deployment).To(Equal("orders-worker"))
		}).Should(Succeed())
	})

	It("gives the worker exactly the access it needs, and not one Secret more", func(ctx SpecContext) {
		ns := newNamespace()
		readyFlow(ns)
		create(secret(ns, "someone-elses", map[string]string{"token": "x"}))
		workerDeployment(ns)
		w := workerClient(ns)

		Eventually(func() error { return w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop-api"}, &corev1.Secret{}) }).Should(Succeed())
		Expect(w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "erp-api"}, &corev1.Secret{})).To(Succeed())
		Expect(w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop"}, &v1alpha1.StoreConnection{})).To(Succeed())
		Expect(w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "acme"}, &v1alpha1.MappingSet{})).To(Succeed())
		Expect(w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "orders"}, &v1alpha1.SyncFlow{})).To(Succeed())

		forbidden := func(err error) { GinkgoHelper(); Expect(apierrors.IsForbidden(err)).To(BeTrue(), "got %v", err) }
		forbidden(w.Get(ctx, client.ObjectKey{Namespace: ns, Name: "someone-elses"}, &corev1.Secret{}))
		forbidden(w.List(ctx, &corev1.SecretList{}, client.InNamespace(ns)))
		forbidden(w.Update(ctx, &v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "acme"}}))
		forbidden(w.Delete(ctx, &v1alpha1.SyncFlow{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orders"}}))
	})

	It("scales the worker to zero while suspended and back when resumed", func(ctx SpecContext) {
		ns := newNamespace()
		flow := readyFlow(ns)
		dep := workerDeployment(ns)
		Expect(*dep.Spec.Replicas).To(BeEquivalentTo(1))

		setSuspend(flow, true)
		expectReplicas(dep, 0)
		expectFlowReady(flow, metav1.ConditionFalse, "Suspended")

		setSuspend(flow, false)
		expectReplicas(dep, 1)
	})

	It("stops the worker when suspended even while a reference is not Ready, and keeps no stale Degraded", func(ctx SpecContext) {
		ns := newNamespace()
		flow := readyFlow(ns, func(f *v1alpha1.SyncFlow) { f.Spec.SLO.MaxLag = dur("2m") })
		dep := workerDeployment(ns)
		markAvailable(dep, 1)
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(time.Now())}, "lag": "14m", "lagSeconds": 840, "backlog": 812, "deadLetters": 0,
		})
		expectFlowReady(flow, metav1.ConditionFalse, "LagAboveSLO")
		Expect(cond(Default, flow, v1alpha1.ConditionDegraded).Status).To(Equal(metav1.ConditionTrue))

		// The store's credentials go: the flow is blocked before its health is judged.
		Expect(k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop-api"}})).To(Succeed())
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotReady")
		Expect(cond(Default, flow, v1alpha1.ConditionDegraded)).To(BeNil(), "Degraded judged before the block must not stay")

		setSuspend(flow, true)
		expectReplicas(dep, 0)
		Eventually(func(g Gomega) {
			g.Expect(cond(g, flow, v1alpha1.ConditionSuspended)).To(HaveField("Status", metav1.ConditionTrue))
		}).Should(Succeed())
		expectFlowReady(flow, metav1.ConditionFalse, "StoreConnectionNotReady")
	})

	It("restores a worker Deployment someone changed by hand", func(ctx SpecContext) {
		ns := newNamespace()
		readyFlow(ns)
		dep := workerDeployment(ns)
		before := dep.DeepCopy()
		dep.Spec.Template.Spec.Containers[0].Image = "evil.example/miner:latest"
		Expect(k8s.Patch(ctx, dep, client.MergeFrom(before))).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(dep), dep)).To(Succeed())
			g.Expect(dep.Spec.Template.Spec.Containers[0].Image).To(Equal(workerImage))
		}).Should(Succeed())
	})

	It("is Ready only when the worker is available, reporting and within its SLO", func(ctx SpecContext) {
		ns := newNamespace()
		flow := readyFlow(ns, func(f *v1alpha1.SyncFlow) { f.Spec.SLO.MaxLag = dur("2m") })
		dep := workerDeployment(ns)
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerUnavailable")

		markAvailable(dep, 1)
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerNotReporting", "has not reported yet")

		now := time.Now()
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(now)}, "lag": "3s", "lagSeconds": 3, "backlog": 0, "deadLetters": 0,
			"lastSyncTime": ts(now), "lastSuccessTime": ts(now),
		})
		expectFlowReady(flow, metav1.ConditionTrue, "Synced", "lag 3s")
		Expect(cond(Default, flow, v1alpha1.ConditionDegraded)).To(BeNil())

		// An ERP outage: lag grows past the SLO while the worker keeps reporting.
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(time.Now())}, "lag": "14m", "lagSeconds": 840, "backlog": 812, "deadLetters": 0,
			"lastSyncTime": ts(now), "lastSuccessTime": ts(now),
		})
		expectFlowReady(flow, metav1.ConditionFalse, "LagAboveSLO", "Lag 14m0s exceeds the SLO of 2m0s (backlog 812)")
		Expect(cond(Default, flow, v1alpha1.ConditionDegraded).Status).To(Equal(metav1.ConditionTrue))

		// Recovery.
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(time.Now())}, "lag": "0s", "lagSeconds": 0, "backlog": 0, "deadLetters": 0,
			"lastSyncTime": ts(time.Now()), "lastSuccessTime": ts(time.Now()),
		})
		expectFlowReady(flow, metav1.ConditionTrue, "Synced")
		Expect(cond(Default, flow, v1alpha1.ConditionDegraded)).To(BeNil())

		// A worker that stops reporting.
		report(ns, map[string]any{"worker": map[string]any{"heartbeatTime": ts(time.Now().Add(-5 * time.Minute))}})
		expectFlowReady(flow, metav1.ConditionFalse, "WorkerNotReporting", "last reported 5m")
	})

	It("is Stalled when every change is dead-lettered, naming the cause", func() {
		ns := newNamespace()
		flow := readyFlow(ns)
		markAvailable(workerDeployment(ns), 1)
		oldest := time.Now().Add(-time.Minute)
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(time.Now())}, "lag": "0s", "lagSeconds": 0, "backlog": 0, "deadLetters": 3,
			"deadLetterSummary": []any{map[string]any{"reason": "Unmapped", "count": 3, "oldestTime": ts(oldest)}},
			"lastFailure":       map[string]any{"time": ts(time.Now()), "reason": "Unmapped", "message": `SKU "HOODIE-RED-XL" is not mapped by MappingSet acme`},
		})
		expectFlowReady(flow, metav1.ConditionFalse, "DeadLettersNeedAttention", `SKU "HOODIE-RED-XL"`, "retailsync.io/replay-at")
		Expect(cond(Default, flow, v1alpha1.ConditionStalled).Status).To(Equal(metav1.ConditionTrue))

		// After a replay the changes go through: a success newer than the dead letters, none left.
		report(ns, map[string]any{
			"worker": map[string]any{"heartbeatTime": ts(time.Now())}, "deadLetters": 0, "deadLetterSummary": []any{},
			"lastSuccessTime": ts(time.Now()),
		})
		expectFlowReady(flow, metav1.ConditionTrue, "Synced")
		Expect(cond(Default, flow, v1alpha1.ConditionStalled)).To(BeNil())
	})
})
