package credentials

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func secret(data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-api"}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func TestFromSecretNamesMissingKeysButNoValues(t *testing.T) {
	_, err := FromSecret(secret(map[string]string{"consumerKey": "ck_live_123", "consumerSecret": ""}),
		[]string{"consumerKey", "consumerSecret", "other"})
	if err == nil {
		t.Fatal("expected an error for missing keys")
	}
	msg := err.Error()
	for _, want := range []string{`"shop-api"`, `"consumerSecret"`, `"other"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	if strings.Contains(msg, "ck_live_123") {
		t.Errorf("error %q leaks a credential value", msg)
	}
}

func TestFingerprintIsStableAndChangesWithAnyValue(t *testing.T) {
	keys := []string{"consumerKey", "consumerSecret"}
	a, err := FromSecret(secret(map[string]string{"consumerKey": "ck", "consumerSecret": "cs1"}), keys)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := FromSecret(secret(map[string]string{"consumerSecret": "cs1", "consumerKey": "ck"}), keys)
	rotated, _ := FromSecret(secret(map[string]string{"consumerKey": "ck", "consumerSecret": "cs2"}), keys)
	if a.Fingerprint() != again.Fingerprint() {
		t.Errorf("fingerprint not stable: %s vs %s", a.Fingerprint(), again.Fingerprint())
	}
	if a.Fingerprint() == rotated.Fingerprint() {
		t.Errorf("fingerprint did not change with the secret")
	}
	if got := a.Fingerprint(); !strings.HasPrefix(got, "sha256:") || len(got) != len("sha256:")+16 {
		t.Errorf("fingerprint %q has the wrong shape", got)
	}
	// Moving bytes between key and value must not collide.
	b := Set{"ab": []byte("c")}
	c := Set{"a": []byte("bc")}
	if b.Fingerprint() == c.Fingerprint() {
		t.Error("fingerprint collides when bytes move across the key/value boundary")
	}
}
