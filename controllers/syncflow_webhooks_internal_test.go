package controllers

import (
	"slices"
	"testing"
	"time"

	"github.com/retailsync/retailsync/api/v1alpha1"
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
