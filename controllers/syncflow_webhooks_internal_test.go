package controllers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// A deleted flow's webhook cleanup backs off as time passes, never beyond two minutes or the
// deadline, and gives up at the deadline.
func TestCleanupRetryBacksOffAndGivesUpAtTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		elapsed time.Duration
		retry   time.Duration
		giveUp  bool
	}{
		{0, 5 * time.Second, false},
		{4 * time.Second, 5 * time.Second, false},
		{time.Minute, 30 * time.Second, false},
		{5 * time.Minute, 2 * time.Minute, false},
		{9*time.Minute + 30*time.Second, 30 * time.Second, false},
		{webhookCleanupTimeout, 0, true},
		{time.Hour, 0, true},
	} {
		retry, giveUp := cleanupRetry(tc.elapsed)
		if retry != tc.retry || giveUp != tc.giveUp {
			t.Errorf("cleanupRetry(%s) = %s, %v; want %s, %v", tc.elapsed, retry, giveUp, tc.retry, tc.giveUp)
		}
	}
}

func TestWebhookTopicsPerFlow(t *testing.T) {
	want := map[string][]string{
		"Orders":  {"order.created", "order.updated"},
		"Finance": {"order.updated"},
		"Catalog": nil,
	}
	for kind, topics := range want {
		if got := webhookTopics(v1alpha1.FlowKind(kind)); !slices.Equal(got, topics) {
			t.Errorf("%s: topics %v, want %v", kind, got, topics)
		}
	}
}

// The previous webhook secret stays accepted for the grace period after the store took the new
// one, and for as long as the store has not: a rotation while the store is down keeps the secret
// the store still signs with, and the next rotation waits for the store.
func TestWebhookSecretGraceFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	store := wcsim.New(wcsim.Config{ConsumerKey: "ck", ConsumerSecret: "cs"})
	storeSrv := httptest.NewServer(store.Handler())
	defer storeSrv.Close()
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer receiver.Close()

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	flow := &v1alpha1.SyncFlow{
		ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "orders", UID: "flow-uid"},
		Spec: v1alpha1.SyncFlowSpec{Flow: v1alpha1.FlowOrders, Trigger: v1alpha1.Trigger{Webhook: true},
			SourceRef: v1alpha1.LocalObjectReference{Name: "shop"}},
	}
	conn := &v1alpha1.StoreConnection{
		ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "shop"},
		Spec: v1alpha1.StoreConnectionSpec{System: v1alpha1.SystemWooCommerce, URL: storeSrv.URL, AllowInsecureHTTP: true,
			CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: "shop-api"},
			Webhooks:             &v1alpha1.WebhookSpec{PublicURL: receiver.URL, SecretRotationInterval: &metav1.Duration{Duration: 24 * time.Hour}}},
	}
	creds := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "shop-api"},
		Data: map[string][]byte{"consumerKey": []byte("ck"), "consumerSecret": []byte("cs")}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(flow, conn, creds).WithStatusSubresource(flow).Build()
	if err := c.Get(ctx, client.ObjectKeyFromObject(flow), flow); err != nil {
		t.Fatal(err)
	}
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	r := &SyncFlowReconciler{Client: c, Recorder: events.NewFakeRecorder(100), Now: clock.Now}

	reconcile := func() metav1.ConditionStatus {
		t.Helper()
		s := &syncFlowScope{flow: flow, conds: conditionsOf(&flow.Status.Conditions, flow.Generation), source: conn}
		if err := r.reconcileWebhooks(ctx, s); err != nil {
			t.Fatalf("reconcileWebhooks: %v", err)
		}
		return s.conds.get(v1alpha1.ConditionWebhooksReady).Status
	}
	secrets := func() (current, previous string) {
		t.Helper()
		s := &corev1.Secret{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "acme", Name: workerpod.WebhookSecretName("orders")}, s); err != nil {
			t.Fatal(err)
		}
		return string(s.Data[workerpod.WebhookSecretCurrent]), string(s.Data[workerpod.WebhookSecretPrevious])
	}
	// workerLoads does what the worker does when it reads the webhook Secret: it reports the rotation
	// time of the secret it now verifies deliveries with.
	workerLoads := func() {
		t.Helper()
		s := &corev1.Secret{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "acme", Name: workerpod.WebhookSecretName("orders")}, s); err != nil {
			t.Fatal(err)
		}
		at := workerpod.WebhookSecretRotation(s.Data)
		if at.IsZero() {
			t.Fatalf("webhook Secret has no usable %s", workerpod.WebhookSecretRotatedAt)
		}
		flow.Status.Worker = &v1alpha1.WorkerStatus{WebhookSecretTime: &metav1.Time{Time: at}}
	}
	storeSigns := func(want string) {
		t.Helper()
		hooks := store.Webhooks()
		if len(hooks) != 2 {
			t.Fatalf("store has %d webhooks, want 2", len(hooks))
		}
		for _, h := range hooks {
			if h.Secret != want {
				t.Errorf("webhook %d (%s) does not sign with the expected secret", h.ID, h.Topic)
			}
		}
	}

	if reconcile() != metav1.ConditionFalse || len(store.Webhooks()) != 0 {
		t.Fatal("webhooks registered before the worker held their secret")
	}
	workerLoads()
	if reconcile() != metav1.ConditionTrue {
		t.Fatal("webhooks not registered")
	}
	first, previous := secrets()
	storeSigns(first)
	if previous != "" {
		t.Fatal("a new Secret has a previous secret")
	}

	clock.Advance(25 * time.Hour)
	reconcile()
	second, previous := secrets()
	if second == first || previous != first {
		t.Fatal("rotation did not move current to previous")
	}
	storeSigns(first) // the worker has not read the new secret yet
	workerLoads()
	reconcile()
	storeSigns(second)

	clock.Advance(30 * time.Minute)
	reconcile()
	if _, previous = secrets(); previous != first {
		t.Fatal("previous secret retired within the grace period")
	}
	clock.Advance(31 * time.Minute)
	reconcile()
	if _, previous = secrets(); previous != "" {
		t.Fatal("previous secret still accepted after the grace period")
	}

	// The store is down at the next rotation: it keeps signing with the second secret.
	store.Kit().Injector.SetOutage(true)
	clock.Advance(25 * time.Hour)
	if reconcile() != metav1.ConditionFalse {
		t.Fatal("WebhooksReady stayed True while the store could not take the new secret")
	}
	third, previous := secrets()
	if third == second || previous != second {
		t.Fatal("rotation did not move current to previous")
	}
	clock.Advance(25 * time.Hour)
	reconcile()
	if current, previous := secrets(); current != third || previous != second {
		t.Fatal("rotated again, or retired the previous secret, before the store took the last one")
	}

	workerLoads()
	store.Kit().Injector.SetOutage(false)
	if reconcile() != metav1.ConditionTrue {
		t.Fatal("webhooks not repaired once the store is back")
	}
	storeSigns(third)
	if _, previous = secrets(); previous != "" {
		t.Fatal("previous secret kept although the store signs with the current one and the grace period is over")
	}
}

func TestWebhookSecretNeverFormatsItsValues(t *testing.T) {
	s := webhookSecret{current: "c-value", previous: "p-value", rotatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprint(&s)} {
		if strings.Contains(out, "c-value") || strings.Contains(out, "p-value") {
			t.Errorf("formatted secret shows a value: %s", out)
		}
	}
}

// A connection's health probe writes its status every interval; only a change of its Ready
// condition concerns the flows that use it.
func TestFlowsFollowAConnectionsReadinessNotItsProbes(t *testing.T) {
	conn := func(status metav1.ConditionStatus, probed time.Time) *v1alpha1.StoreConnection {
		return &v1alpha1.StoreConnection{Status: v1alpha1.StoreConnectionStatus{
			Conditions: []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: status, Reason: "R", Message: "m", ObservedGeneration: 1,
				LastTransitionTime: metav1.NewTime(probed)}},
			LastProbe: &v1alpha1.ProbeStatus{Time: metav1.NewTime(probed), LatencyMilliseconds: probed.UnixMilli() % 97},
		}}
	}
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p := readyChanged()
	if p.Update(event.UpdateEvent{ObjectOld: conn(metav1.ConditionTrue, t0), ObjectNew: conn(metav1.ConditionTrue, t0.Add(5*time.Minute))}) {
		t.Error("a probe that changed nothing but its own record reconciles the flows")
	}
	if !p.Update(event.UpdateEvent{ObjectOld: conn(metav1.ConditionTrue, t0), ObjectNew: conn(metav1.ConditionFalse, t0.Add(5*time.Minute))}) {
		t.Error("a connection that stopped being Ready does not reconcile its flows")
	}
}
