package workerpod

import (
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

var dns1035 = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

func TestNameIsAValidServiceNameForAnyFlowName(t *testing.T) {
	long := strings.Repeat("orders", 40)
	names := map[string]bool{}
	for _, flow := range []string{"orders", "1-orders", "acme.orders", "acme-orders", long, long + "x", "a"} {
		n := Name(flow)
		if len(n) > 63 || !dns1035.MatchString(n) {
			t.Errorf("Name(%q) = %q is not a DNS-1035 label", flow, n)
		}
		if names[n] {
			t.Errorf("Name(%q) = %q collides with another flow's", flow, n)
		}
		names[n] = true
	}
	if Name("orders") != "orders-worker" {
		t.Errorf("a short flow name should read plainly, got %q", Name("orders"))
	}
}

func TestLabelsAreValidForAnyFlowName(t *testing.T) {
	long := strings.Repeat("orders.", 36)
	values := map[string]bool{}
	for _, flow := range []string{"orders", "acme.orders", long, long + "x"} {
		for k, v := range Labels(flow) {
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Errorf("Labels(%q)[%s] = %q: %s", flow, k, v, strings.Join(errs, "; "))
			}
		}
		v := Labels(flow)[LabelSyncFlow]
		if values[v] {
			t.Errorf("the %s label of %q collides with another flow's", LabelSyncFlow, flow)
		}
		values[v] = true
	}
	if Labels("acme.orders")[LabelSyncFlow] != "acme.orders" {
		t.Error("a short flow name should be its own label value")
	}
}

func TestSelectorIsASubsetOfLabels(t *testing.T) {
	labels := Labels("orders")
	for k, v := range Selector("orders") {
		if labels[k] != v {
			t.Errorf("selector %s=%s missing from labels", k, v)
		}
	}
}

func TestWebhookSecretNameIsAValidSecretNameOfItsOwn(t *testing.T) {
	long := strings.Repeat("orders", 40)
	for _, flow := range []string{"orders", "acme.orders", long} {
		n := WebhookSecretName(flow)
		if len(n) > 253 || !dns1035.MatchString(n) {
			t.Errorf("WebhookSecretName(%q) = %q is not a valid Secret name", flow, n)
		}
		if n == Name(flow) {
			t.Errorf("WebhookSecretName(%q) collides with the worker objects' name", flow)
		}
	}
}
