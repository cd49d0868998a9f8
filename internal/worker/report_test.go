package worker

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
)

func TestStatusOfOwnsOnlyTheWorkersFields(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	r := engine.Report{
		At: now, Lag: 90*time.Second + 400*time.Millisecond, Backlog: 12, Processed: 40, Failed: 3, Retried: 2, DeadLettered: 5,
		DeadLetters: []store.DeadLetterGroup{
			{Reason: failure.ReasonNotFound, Count: 1, Oldest: now.Add(-time.Hour)},
			{Reason: failure.ReasonUnmapped, Count: 4, Oldest: now.Add(-time.Minute)},
		},
		LastFailure: &engine.Failure{At: now, Reason: failure.ReasonUnmapped, Message: `SKU "X" is not mapped`, CorrelationID: "c-1"},
	}
	pct := int32(7)
	st := statusOf(r, Progress{Now: now, LastSyncTime: now, FailurePercent: &pct, HandledReplayAt: "t1"})

	for _, operatorField := range []string{"conditions", "observedGeneration"} {
		if _, ok := st[operatorField]; ok {
			t.Errorf("the worker must not apply %s: the operator owns it", operatorField)
		}
	}
	if w := st["worker"].(map[string]any); len(w) != 1 || w["heartbeatTime"] != "2026-12-04T12:00:00Z" {
		t.Errorf("worker = %v, want only the heartbeat", w)
	}
	if st["lag"] != "1m30s" || st["lagSeconds"] != int64(90) || st["backlog"] != int64(12) || st["deadLetters"] != int64(5) {
		t.Errorf("lag/backlog/deadLetters wrong: %v %v %v %v", st["lag"], st["lagSeconds"], st["backlog"], st["deadLetters"])
	}
	summary := st["deadLetterSummary"].([]any)
	if len(summary) != 2 || summary[0].(map[string]any)["reason"] != "Unmapped" {
		t.Errorf("summary should list the most numerous reason first: %v", summary)
	}
	if st["lastFailure"].(map[string]any)["correlationID"] != "c-1" || st["failurePercent"] != int32(7) || st["lastHandledReplayAt"] != "t1" {
		t.Errorf("lastFailure/failurePercent/handled token lost: %v", st)
	}
	if _, ok := st["lastSuccessTime"]; ok {
		t.Error("lastSuccessTime must be left out until something succeeded")
	}
}

func TestFailureRateOverTheWindow(t *testing.T) {
	var f failureRate
	t0 := time.Now()
	if got := f.observe(t0, 0, 0); got != nil {
		t.Fatalf("no attempts yet, got %d%%", *got)
	}
	if got := f.observe(t0.Add(time.Minute), 80, 20); got == nil || *got != 20 {
		t.Fatalf("20 failed of 100 attempts: got %v", got)
	}
	// Two minutes later the early failures have left the window: 100 more successes, no failures.
	if got := f.observe(t0.Add(3*time.Minute), 180, 20); got == nil || *got != 0 {
		t.Fatalf("after the window moved: got %v, want 0", got)
	}
}

func TestParseReplayFilter(t *testing.T) {
	if got := parseReplayFilter(""); len(got) != 1 || got[0] != (store.DeadLetterFilter{}) {
		t.Errorf("empty filter should replay everything: %v", got)
	}
	if got := parseReplayFilter("reason=Unmapped"); len(got) != 1 || got[0].Reason != failure.ReasonUnmapped {
		t.Errorf("reason filter: %v", got)
	}
	got := parseReplayFilter("correlationIDs= a, b ,")
	if len(got) != 2 || got[0].CorrelationID != "a" || got[1].CorrelationID != "b" {
		t.Errorf("correlation ids: %v", got)
	}
}

// The worker reports which webhook secret it verifies deliveries with (its rotation time, never the
// value), so the operator gives the store a rotated secret only once the worker holds it.
func TestReportsTheWebhookSecretItHolds(t *testing.T) {
	flow := &v1alpha1.SyncFlow{ObjectMeta: metav1.ObjectMeta{Namespace: "acme", Name: "orders"}}
	var secrets webhookSecrets
	secrets.update(Snapshot{Flow: flow})
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if w := statusOf(engine.Report{At: now}, Progress{Now: now, WebhookSecretTime: secrets.currentRotatedAt()})["worker"].(map[string]any); len(w) != 1 {
		t.Fatalf("without a webhook Secret the worker reports %v, want only the heartbeat", w)
	}

	secret := &corev1.Secret{Data: map[string][]byte{
		workerpod.WebhookSecretCurrent:   []byte("new-secret"),
		workerpod.WebhookSecretPrevious:  []byte("old-secret"),
		workerpod.WebhookSecretRotatedAt: []byte("2026-12-04T11:59:00Z"),
	}}
	secrets.update(Snapshot{Flow: flow, Secrets: map[string]*corev1.Secret{workerpod.WebhookSecretName("orders"): secret}})
	got, err := secrets.WebhookSecrets(context.Background())
	if err != nil || string(got.Current) != "new-secret" || string(got.Previous) != "old-secret" {
		t.Fatalf("receiver secrets = %v, %v", got, err)
	}
	w := statusOf(engine.Report{At: now}, Progress{Now: now, WebhookSecretTime: secrets.currentRotatedAt()})["worker"].(map[string]any)
	if w["webhookSecretTime"] != "2026-12-04T11:59:00Z" {
		t.Fatalf("worker = %v, want webhookSecretTime 2026-12-04T11:59:00Z", w)
	}
	for _, v := range w {
		if s, _ := v.(string); strings.Contains(s, "new-secret") || strings.Contains(s, "old-secret") {
			t.Fatalf("the report carries a secret value: %v", w)
		}
	}
}
