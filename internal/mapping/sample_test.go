package mapping

import (
	"os"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// TestSampleCompiles keeps the published sample honest: every field in it exists (strict decoding)
// and it compiles without errors.
func TestSampleCompiles(t *testing.T) {
	raw, err := os.ReadFile("../../config/samples/retailsync_v1alpha1_mappingset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ms v1alpha1.MappingSet
	if err := yaml.UnmarshalStrict(raw, &ms); err != nil {
		t.Fatalf("sample does not decode: %v", err)
	}
	m, errs := Compile(ms.Namespace+"/"+ms.Name, &ms.Spec)
	if len(errs) > 0 {
		t.Fatalf("sample does not compile: %v", errs.ToAggregate())
	}
	if got, err := m.MapSKU("WC-CAP-RED"); err != nil || got != "ACME-CAP-RED" {
		t.Errorf("sample MapSKU(WC-CAP-RED) = %q, %v", got, err)
	}
	if got, err := m.MapSKU("LEGACY-4711"); err != nil || got != "4711" {
		t.Errorf("sample MapSKU(LEGACY-4711) = %q, %v", got, err)
	}
	// The simulators' catalog and tax table, which the demo syncs with this sample.
	for _, sku := range []string{"TEE-0001", "HOODIE-001", "HOODIE-002-XL-1"} {
		if got, err := m.MapSKU(sku); err != nil || got != sku {
			t.Errorf("sample MapSKU(%s) = %q, %v; the demo catalog keeps its codes", sku, got, err)
		}
	}
	for _, code := range []string{"US-CA-STATE TAX-1", "US-CA-COUNTY TAX-2", "US-NY-STATE TAX-1", "US-NY-CITY TAX-2", "DE-MWST-1", "GB-VAT-1"} {
		if _, err := m.TaxAccount(code); err != nil {
			t.Errorf("sample has no account for the simulator's tax rate %s: %v", code, err)
		}
	}
}
