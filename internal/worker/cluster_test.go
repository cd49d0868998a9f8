package worker

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// The worker's own status reports come back through its watch on the SyncFlow; only what the worker
// reads may wake it, or each report would cause the next.
func TestOnlyWhatTheWorkerReadsWakesIt(t *testing.T) {
	flow := func(generation int64, annotations map[string]string, lag string) *v1alpha1.SyncFlow {
		return &v1alpha1.SyncFlow{ObjectMeta: metav1.ObjectMeta{Name: "orders", Generation: generation, Annotations: annotations},
			Status: v1alpha1.SyncFlowStatus{Lag: lag}}
	}
	secret := func(v string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Data: map[string][]byte{"k": []byte(v)}}
	}
	replay := map[string]string{v1alpha1.AnnotationReplayAt: "1"}
	for _, tc := range []struct {
		name     string
		old, cur client.Object
		want     bool
	}{
		{"status only", flow(3, nil, "1s"), flow(3, nil, "9s"), false},
		{"spec", flow(3, nil, "1s"), flow(4, nil, "1s"), true},
		{"request annotation", flow(3, nil, "1s"), flow(3, replay, "1s"), true},
		{"appeared", nil, flow(1, nil, ""), true},
		{"deleted", flow(1, nil, ""), nil, true},
		{"secret data", secret("a"), secret("b"), true},
	} {
		if got := readChanged(tc.old, tc.cur); got != tc.want {
			t.Errorf("%s: readChanged = %v, want %v", tc.name, got, tc.want)
		}
	}
}
