package controllers_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

func dur(s string) *metav1.Duration {
	d, err := time.ParseDuration(s)
	Expect(err).NotTo(HaveOccurred())
	return &metav1.Duration{Duration: d}
}

// Every invalid object is rejected by the API server itself (schema and CEL rules), with a message
// that tells the user what to change; its valid twin, one edit away, is accepted.
var _ = Describe("Schema validation by the API server", func() {
	type connCase func(c *v1alpha1.StoreConnection)
	DescribeTable("StoreConnection",
		func(invalid, valid connCase, wantMessage string) {
			ns := newNamespace()
			bad := wooConnection(ns, "bad", "s")
			invalid(bad)
			err := k8s.Create(context.Background(), bad)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected Invalid, got %v", err)
			Expect(err.Error()).To(ContainSubstring(wantMessage))

			good := wooConnection(ns, "good", "s")
			valid(good)
			Expect(k8s.Create(context.Background(), good)).To(Succeed())
		},
		Entry("unknown system", func(c *v1alpha1.StoreConnection) { c.Spec.System = "Shopify" },
			func(c *v1alpha1.StoreConnection) { c.Spec.System = v1alpha1.SystemWooCommerce },
			`Unsupported value: "Shopify"`),
		Entry("url that is not http(s)", func(c *v1alpha1.StoreConnection) { c.Spec.URL = "ftp://shop.acme.example" },
			func(c *v1alpha1.StoreConnection) { c.Spec.URL = "https://shop.acme.example/store" },
			"spec.url"),
		Entry("plain http without allowInsecureHTTP", func(c *v1alpha1.StoreConnection) { c.Spec.URL = "http://shop.acme.example" },
			func(c *v1alpha1.StoreConnection) {
				c.Spec.URL = "http://shop.acme.example"
				c.Spec.AllowInsecureHTTP = true
			},
			"url must use https:// unless allowInsecureHTTP is true"),
		Entry("webhooks on an ERP connection", func(c *v1alpha1.StoreConnection) {
			c.Spec.System = v1alpha1.SystemERPNext
			c.Spec.Webhooks = &v1alpha1.WebhookSpec{PublicURL: "https://hooks.acme.example"}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.Webhooks = &v1alpha1.WebhookSpec{PublicURL: "https://hooks.acme.example"}
		}, "webhooks can only be set on WooCommerce connections"),
		Entry("auth method of another system", func(c *v1alpha1.StoreConnection) {
			c.Spec.Auth = &v1alpha1.AuthSpec{Method: v1alpha1.AuthToken}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.Auth = &v1alpha1.AuthSpec{Method: v1alpha1.AuthBasic}
		}, "auth.method must suit the system"),
		Entry("Basic auth over plain http", func(c *v1alpha1.StoreConnection) {
			c.Spec.URL, c.Spec.AllowInsecureHTTP = "http://shop.local", true
			c.Spec.Auth = &v1alpha1.AuthSpec{Method: v1alpha1.AuthBasic}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.URL, c.Spec.AllowInsecureHTTP = "http://shop.local", true
			c.Spec.Auth = &v1alpha1.AuthSpec{Method: v1alpha1.AuthOAuth1}
		}, "Basic authentication needs an https:// url"),
		Entry("zero requests per second", func(c *v1alpha1.StoreConnection) {
			c.Spec.RateLimit = v1alpha1.RateLimit{RequestsPerSecond: -1}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.RateLimit = v1alpha1.RateLimit{RequestsPerSecond: 1}
		}, "spec.rateLimit.requestsPerSecond"),
		Entry("too many requests in flight", func(c *v1alpha1.StoreConnection) {
			c.Spec.RateLimit = v1alpha1.RateLimit{MaxInFlight: 1000}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.RateLimit = v1alpha1.RateLimit{MaxInFlight: 256}
		}, "spec.rateLimit.maxInFlight"),
		Entry("Secret name that is not a DNS name", func(c *v1alpha1.StoreConnection) {
			c.Spec.CredentialsSecretRef.Name = "Shop_API"
		}, func(c *v1alpha1.StoreConnection) { c.Spec.CredentialsSecretRef.Name = "shop-api" },
			"spec.credentialsSecretRef.name"),
		Entry("webhook publicURL that is not a URL", func(c *v1alpha1.StoreConnection) {
			c.Spec.Webhooks = &v1alpha1.WebhookSpec{PublicURL: "hooks.acme.example"}
		}, func(c *v1alpha1.StoreConnection) {
			c.Spec.Webhooks = &v1alpha1.WebhookSpec{PublicURL: "https://hooks.acme.example/retailsync"}
		}, "spec.webhooks.publicURL"),
	)

	type flowCase func(f *v1alpha1.SyncFlow)
	DescribeTable("SyncFlow",
		func(invalid, valid flowCase, wantMessage string) {
			ns := newNamespace()
			bad := ordersFlow(ns, "bad", "shop", "erp", "acme")
			invalid(bad)
			err := k8s.Create(context.Background(), bad)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected Invalid, got %v", err)
			Expect(err.Error()).To(ContainSubstring(wantMessage))

			good := ordersFlow(ns, "good", "shop", "erp", "acme")
			valid(good)
			Expect(k8s.Create(context.Background(), good)).To(Succeed())
		},
		Entry("unknown flow", func(f *v1alpha1.SyncFlow) { f.Spec.Flow = "Returns" },
			func(f *v1alpha1.SyncFlow) { f.Spec.Flow = v1alpha1.FlowFulfillment }, `Unsupported value: "Returns"`),
		Entry("source and target are the same connection", func(f *v1alpha1.SyncFlow) { f.Spec.TargetRef.Name = "shop" },
			func(f *v1alpha1.SyncFlow) { f.Spec.TargetRef.Name = "erp-2" }, "sourceRef and targetRef must name different StoreConnections"),
		Entry("zero attempts", func(f *v1alpha1.SyncFlow) { f.Spec.Retry = v1alpha1.RetryPolicy{MaxAttempts: -1} },
			func(f *v1alpha1.SyncFlow) { f.Spec.Retry = v1alpha1.RetryPolicy{MaxAttempts: 1} }, "spec.retry.maxAttempts"),
		Entry("max backoff shorter than initial backoff", func(f *v1alpha1.SyncFlow) {
			f.Spec.Retry = v1alpha1.RetryPolicy{InitialBackoff: dur("1m"), MaxBackoff: dur("30s")}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Retry = v1alpha1.RetryPolicy{InitialBackoff: dur("1m"), MaxBackoff: dur("1h")}
		}, "maxBackoff must not be shorter than initialBackoff"),
		Entry("several replicas on the embedded store", func(f *v1alpha1.SyncFlow) {
			f.Spec.Worker.Replicas = ptr.To[int32](3)
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Worker.Replicas = ptr.To[int32](3)
			f.Spec.Worker.Store = &v1alpha1.WorkerStore{Type: v1alpha1.StorePostgreSQL,
				PostgreSQL: &v1alpha1.PostgreSQLStore{DSNSecretRef: v1alpha1.SecretKeyReference{Name: "pg", Key: "dsn"}}}
		}, "more than one worker replica needs worker.store.type PostgreSQL"),
		Entry("PostgreSQL store without a DSN", func(f *v1alpha1.SyncFlow) {
			f.Spec.Worker.Store = &v1alpha1.WorkerStore{Type: v1alpha1.StorePostgreSQL}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Worker.Store = &v1alpha1.WorkerStore{Type: v1alpha1.StoreEmbedded}
		}, "postgreSQL must be set exactly when type is PostgreSQL"),
		Entry("webhook trigger on an ERP-sourced flow", func(f *v1alpha1.SyncFlow) {
			f.Spec.Flow = v1alpha1.FlowInventory
			f.Spec.Trigger.Webhook = true
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Trigger.Webhook = true
		}, "webhook triggers exist only for store-sourced flows"),
		Entry("approval thresholds without Manual mode", func(f *v1alpha1.SyncFlow) {
			f.Spec.Approval = v1alpha1.Approval{Mode: v1alpha1.ApprovalAutomatic, MaxRefundAmount: ptr.To("250.00")}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Approval = v1alpha1.Approval{Mode: v1alpha1.ApprovalManual, MaxRefundAmount: ptr.To("250.00")}
		}, "approval thresholds apply only with mode Manual"),
		Entry("refund threshold that is not a decimal", func(f *v1alpha1.SyncFlow) {
			f.Spec.Approval = v1alpha1.Approval{Mode: v1alpha1.ApprovalManual, MaxRefundAmount: ptr.To("250,00")}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Approval = v1alpha1.Approval{Mode: v1alpha1.ApprovalManual, MaxRefundAmount: ptr.To("250")}
		}, "spec.approval.maxRefundAmount"),
		Entry("schedule that is not cron", func(f *v1alpha1.SyncFlow) { f.Spec.Trigger.Schedule = "every day" },
			func(f *v1alpha1.SyncFlow) { f.Spec.Trigger.Schedule = "0 3 * * *" }, "spec.trigger.schedule"),
		Entry("publishing window hour out of range", func(f *v1alpha1.SyncFlow) {
			f.Spec.Trigger.Window = &v1alpha1.PublishingWindow{Start: "25:00", End: "06:00"}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Trigger.Window = &v1alpha1.PublishingWindow{Start: "22:00", End: "06:00", TimeZone: "Europe/Berlin"}
		}, "spec.trigger.window.start"),
		Entry("empty publishing window", func(f *v1alpha1.SyncFlow) {
			f.Spec.Trigger.Window = &v1alpha1.PublishingWindow{Start: "06:00", End: "06:00"}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.Trigger.Window = &v1alpha1.PublishingWindow{Start: "06:00", End: "06:30"}
		}, "window start and end must differ"),
		Entry("breaker that never opens", func(f *v1alpha1.SyncFlow) {
			f.Spec.CircuitBreaker = v1alpha1.CircuitBreaker{FailureThreshold: -5}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.CircuitBreaker = v1alpha1.CircuitBreaker{FailureThreshold: 3, Cooldown: dur("1m")}
		}, "spec.circuitBreaker.failureThreshold"),
		Entry("failure threshold above 100 percent", func(f *v1alpha1.SyncFlow) {
			f.Spec.SLO = v1alpha1.SLO{MaxFailurePercent: 150}
		}, func(f *v1alpha1.SyncFlow) {
			f.Spec.SLO = v1alpha1.SLO{MaxFailurePercent: 50, MaxLag: dur("2m")}
		}, "spec.slo.maxFailurePercent"),
		Entry("reference name that is not a DNS name", func(f *v1alpha1.SyncFlow) { f.Spec.MappingSetRef.Name = "ACME mapping" },
			func(f *v1alpha1.SyncFlow) { f.Spec.MappingSetRef.Name = "acme-mapping" }, "spec.mappingSetRef.name"),
	)

	// Durations are strings on the wire; a typed client cannot send a bad one, a user's YAML can.
	DescribeTable("durations written by hand",
		expectYAMLRejectedThenTwinAccepted,
		Entry("StoreConnection timeout in words", `
apiVersion: retailsync.io/v1alpha1
kind: StoreConnection
metadata: {name: shop}
spec: {system: WooCommerce, url: "https://shop.acme.example", credentialsSecretRef: {name: s}, timeout: 10 minutes}`, `
apiVersion: retailsync.io/v1alpha1
kind: StoreConnection
metadata: {name: shop}
spec: {system: WooCommerce, url: "https://shop.acme.example", credentialsSecretRef: {name: s}, timeout: 10m}`,
			"spec.timeout"),
		Entry("SyncFlow maxLag in words", `
apiVersion: retailsync.io/v1alpha1
kind: SyncFlow
metadata: {name: orders}
spec: {flow: Orders, sourceRef: {name: shop}, targetRef: {name: erp}, mappingSetRef: {name: acme}, slo: {maxLag: 2 minutes}}`, `
apiVersion: retailsync.io/v1alpha1
kind: SyncFlow
metadata: {name: orders}
spec: {flow: Orders, sourceRef: {name: shop}, targetRef: {name: erp}, mappingSetRef: {name: acme}, slo: {maxLag: 2m}}`,
			"spec.slo.maxLag"),
	)

	It("keeps a StoreConnection's system and a SyncFlow's flow immutable", func(ctx SpecContext) {
		ns := newNamespace()
		conn := wooConnection(ns, "shop", "s")
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		create(conn, flow)

		// Patches, not updates: the controllers write status meanwhile, and the point is the rule.
		connBefore := conn.DeepCopy()
		conn.Spec.System = v1alpha1.SystemERPNext
		err := k8s.Patch(ctx, conn, client.MergeFrom(connBefore))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("system is immutable"))

		flowBefore := flow.DeepCopy()
		flow.Spec.Flow = v1alpha1.FlowFinance
		err = k8s.Patch(ctx, flow, client.MergeFrom(flowBefore))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("flow is immutable"))
	})

	It("defaults what users leave out, and starts status at observedGeneration -1", func(ctx SpecContext) {
		ns := newNamespace()
		conn := wooConnection(ns, "shop", "s")
		flow := ordersFlow(ns, "orders", "shop", "erp", "acme")
		// What the server stores, defaults included, is what we read back.
		create(conn, flow)
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(conn), conn)).To(Succeed())
		Expect(conn.Spec.RateLimit).To(Equal(v1alpha1.RateLimit{RequestsPerSecond: 10, Burst: 20, MaxInFlight: 4}))
		Expect(conn.Spec.Timeout.Duration.String()).To(Equal("30s"))

		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(flow), flow)).To(Succeed())
		Expect(flow.Spec.Retry.MaxAttempts).To(BeEquivalentTo(10))
		Expect(flow.Spec.Retry.MaxBackoff.Duration.String()).To(Equal("15m0s"))
		Expect(flow.Spec.CircuitBreaker.FailureThreshold).To(BeEquivalentTo(5))
		Expect(flow.Spec.Approval.Mode).To(Equal(v1alpha1.ApprovalAutomatic))
		Expect(flow.Spec.SLO.MaxLag.Duration.String()).To(Equal("5m0s"))
		Expect(flow.Spec.Trigger.PollInterval.Duration.String()).To(Equal("5m0s"))
	})
})
