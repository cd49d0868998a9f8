package controllers_test

import (
	"context"
	"os"
	"path/filepath"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/testenv"
)

func wooConnection(ns, name, secret string) *v1alpha1.StoreConnection {
	return &v1alpha1.StoreConnection{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.StoreConnectionSpec{
			System:               v1alpha1.SystemWooCommerce,
			URL:                  "https://shop.acme.example",
			CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: secret},
		},
	}
}

func erpConnection(ns, name, secret string) *v1alpha1.StoreConnection {
	return &v1alpha1.StoreConnection{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.StoreConnectionSpec{
			System:               v1alpha1.SystemERPNext,
			URL:                  "https://erp.acme.example",
			CredentialsSecretRef: v1alpha1.LocalObjectReference{Name: secret},
		},
	}
}

func secret(ns, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func wooSecret(ns, name string) *corev1.Secret {
	return secret(ns, name, map[string]string{"consumerKey": "ck_test", "consumerSecret": "cs_test"})
}

func erpSecret(ns, name string) *corev1.Secret {
	return secret(ns, name, map[string]string{"apiKey": "key", "apiSecret": "secret"})
}

func mappingSet(ns, name string) *v1alpha1.MappingSet {
	return &v1alpha1.MappingSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func ordersFlow(ns, name, source, target, mapping string) *v1alpha1.SyncFlow {
	return &v1alpha1.SyncFlow{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SyncFlowSpec{
			Flow:          v1alpha1.FlowOrders,
			SourceRef:     v1alpha1.LocalObjectReference{Name: source},
			TargetRef:     v1alpha1.LocalObjectReference{Name: target},
			MappingSetRef: v1alpha1.LocalObjectReference{Name: mapping},
		},
	}
}

func create(objs ...client.Object) {
	for _, o := range objs {
		ExpectWithOffset(1, k8s.Create(context.Background(), o)).To(Succeed(), "creating %T %s", o, o.GetName())
	}
}

// applyYAML creates the object a user would write, in namespace ns.
func applyYAML(ns, doc string) error {
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
		return err
	}
	obj.SetNamespace(ns)
	return k8s.Create(context.Background(), obj)
}

// readSample returns a file from config/samples.
func readSample(name string) string {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", name))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return string(data)
}

// expectYAMLRejectedThenTwinAccepted applies a user's invalid YAML, expects the API server to refuse
// it with a message containing wantMessage, then applies its valid twin and expects it accepted.
func expectYAMLRejectedThenTwinAccepted(invalidYAML, validYAML, wantMessage string) {
	ns := newNamespace()
	err := applyYAML(ns, invalidYAML)
	Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected Invalid, got %v", err)
	Expect(err.Error()).To(ContainSubstring(wantMessage))
	Expect(applyYAML(ns, validYAML)).To(Succeed())
}
