package controllers

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/failure"
)

type rejectingProber struct{}

func (rejectingProber) Probe(context.Context, v1alpha1.StoreConnectionSpec, credentials.Set) (string, error) {
	return "", &failure.Error{Kind: failure.Permanent, Reason: failure.ReasonUnauthorized, Status: 401, Message: "invalid key"}
}

// A rejected key is an Event when it is first rejected, not at every health probe after that; a
// rotation to another rejected key is news again.
func TestCredentialsRejectedIsAnEventOncePerKey(t *testing.T) {
	ctx := context.Background()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	conn := &v1alpha1.StoreConnection{
		ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "shop", Generation: 1},
		Spec: v1alpha1.StoreConnectionSpec{System: v1alpha1.SystemWooCommerce, URL: "https://shop.example",
			CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: "shop-api"}},
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "shop-api"},
		Data: map[string][]byte{"consumerKey": []byte("ck"), "consumerSecret": []byte("cs_one")}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(conn, secret).WithStatusSubresource(conn).Build()
	recorder := events.NewFakeRecorder(100)
	r := &StoreConnectionReconciler{Client: c, Recorder: recorder,
		Probers: map[v1alpha1.System]Prober{v1alpha1.SystemWooCommerce: rejectingProber{}}}
	rejections := func() int {
		n := 0
		for {
			select {
			case e := <-recorder.Events:
				if strings.Contains(e, ReasonCredentialsRejected) {
					n++
				}
			default:
				return n
			}
		}
	}
	probe := func() {
		t.Helper()
		if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(conn)}); err != nil {
			t.Fatal(err)
		}
	}

	probe()
	probe()
	probe()
	if n := rejections(); n != 1 {
		t.Fatalf("three probes of one rejected key gave %d CredentialsRejected Events, want 1", n)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil {
		t.Fatal(err)
	}
	secret.Data["consumerSecret"] = []byte("cs_two")
	if err := c.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	probe()
	if n := rejections(); n != 1 {
		t.Fatalf("a rotation to another rejected key gave %d CredentialsRejected Events, want 1", n)
	}
}
