package mapping

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/failure"
)

const setName = "acme/acme"

// acmeSpec is a complete MappingSet in the simulators' conventions.
func acmeSpec() *v1alpha1.MappingSetSpec {
	return &v1alpha1.MappingSetSpec{
		Company:  "ACME",
		Currency: v1alpha1.CurrencyPolicy{Code: "USD"},
		SKUs: v1alpha1.SKUMapping{
			Table: []v1alpha1.SKUPair{{Store: "HOODIE-BLK-M", ERP: "HD-0001-BLK-M"}},
			Rules: []v1alpha1.SKURule{
				{Pattern: `WC-(?P<code>[A-Z0-9-]+)`, Replacement: "ACME-${code}"},
				{Expression: `sku.startsWith("MUG-") ? "MG-" + sku.substring(4) : ""`},
				{Pattern: `[0-9]{6}`}, // six-digit legacy codes are ERP item codes already
			},
		},
		Taxes:           []v1alpha1.TaxMapping{{RateCode: "US-CA-STATE TAX-1", Account: "Sales Tax CA - ACME"}},
		TaxClasses:      []v1alpha1.TaxClassMapping{{Class: "reduced-rate", ItemTaxTemplate: "Reduced - ACME"}},
		PaymentMethods:  []v1alpha1.PaymentMethodMapping{{Store: "stripe", ModeOfPayment: "Credit Card", Account: "Stripe Clearing - ACME"}},
		ShippingMethods: []v1alpha1.ShippingMethodMapping{{Store: "flat_rate", Item: "Shipping"}},
		OrderStatuses: v1alpha1.OrderStatusMapping{
			ToERP:   []v1alpha1.StoreStatusRule{{Status: "on-hold", Action: v1alpha1.OrderActionSkip}, {Status: "awaiting-pickup", Action: v1alpha1.OrderActionCreate}},
			ToStore: []v1alpha1.ERPStatusRule{{ERP: v1alpha1.FulfillmentShipped, Store: "shipped"}},
		},
		Customers: v1alpha1.CustomerMatching{GuestCustomer: "Web Guest", CustomerGroup: "Individual", Territory: "United States"},
		Locations: []v1alpha1.Location{
			{Warehouse: "Main - ACME", SafetyStock: 2},
			{Warehouse: "East - ACME", SafetyStock: 1, AllocationPercent: ptr.To[int32](50)},
		},
		Accounts: v1alpha1.GLAccounts{Discounts: "Discounts - ACME", Shipping: "Freight Out - ACME", Rounding: "Round Off - ACME"},
		Rounding: v1alpha1.Rounding{MaxAdjustment: "0.05"},
	}
}

func mustCompile(t testing.TB, spec *v1alpha1.MappingSetSpec) *Mapper {
	t.Helper()
	m, errs := Compile(setName, spec)
	if len(errs) > 0 {
		t.Fatalf("Compile() errors: %v", errs.ToAggregate())
	}
	return m
}

// wantFailure asserts err is a Permanent failure with reason and a message holding every part.
func wantFailure(t testing.TB, err error, reason failure.Reason, parts ...string) {
	t.Helper()
	var fe *failure.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *failure.Error", err)
	}
	if fe.Kind != failure.Permanent || fe.Reason != reason {
		t.Errorf("failure = %s %s, want Permanent %s (%v)", fe.Kind, fe.Reason, reason, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("err = %q, want it to contain %q", err, p)
		}
	}
}

func TestCompileAcceptsACompleteSpec(t *testing.T) {
	if mustCompile(t, acmeSpec()).Company() != "ACME" {
		t.Error("Company() lost the spec's company")
	}
}

func TestCompileReportsErrorsWithPaths(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*v1alpha1.MappingSetSpec)
		path   string
		typ    field.ErrorType
		detail string
	}{
		{"CEL syntax error", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[1].Expression = `sku.startsWith(` },
			"spec.skus.rules[1].expression", field.ErrorTypeInvalid, "Syntax error"},
		{"CEL undeclared variable", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[1].Expression = `order.number` },
			"spec.skus.rules[1].expression", field.ErrorTypeInvalid, "undeclared reference to 'order'"},
		{"CEL wrong result type", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[1].Expression = `size(sku)` },
			"spec.skus.rules[1].expression", field.ErrorTypeInvalid, "must return string, not int"},
		{"CEL unknown field of order", func(s *v1alpha1.MappingSetSpec) {
			s.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldOrderRemarks, Expression: `order.totl`}}
		}, "spec.expressions[0].expression", field.ErrorTypeInvalid, "undefined field 'totl'"},
		{"CEL variable the field does not provide", func(s *v1alpha1.MappingSetSpec) {
			s.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldProductPublish, Expression: `order.total == "0"`}}
		}, "spec.expressions[0].expression", field.ErrorTypeInvalid, "undeclared reference to 'order'"},
		{"CEL bool field given a string", func(s *v1alpha1.MappingSetSpec) {
			s.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldOrderInclude, Expression: `order.number`}}
		}, "spec.expressions[0].expression", field.ErrorTypeInvalid, "must return bool, not string"},
		{"unknown computed field", func(s *v1alpha1.MappingSetSpec) {
			s.Expressions = []v1alpha1.ComputedField{{Field: "order.total", Expression: `"1"`}}
		}, "spec.expressions[0].field", field.ErrorTypeNotSupported, "order.include"},
		{"bad regular expression", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[0].Pattern = `WC-(` },
			"spec.skus.rules[0].pattern", field.ErrorTypeInvalid, "missing closing )"},
		{"replacement names a missing group", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[0].Replacement = "ACME-$1x" },
			"spec.skus.rules[0].replacement", field.ErrorTypeInvalid, `refers to group "1x"`},
		{"rule with both pattern and expression", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Rules[2].Expression = `sku` },
			"spec.skus.rules[2]", field.ErrorTypeInvalid, "set exactly one of pattern or expression"},
		{"duplicate store SKU", func(s *v1alpha1.MappingSetSpec) {
			s.SKUs.Table = append(s.SKUs.Table, v1alpha1.SKUPair{Store: "HOODIE-BLK-M", ERP: "HD-0002"})
		}, "spec.skus.table[1].store", field.ErrorTypeDuplicate, ""},
		{"SKU with trailing space", func(s *v1alpha1.MappingSetSpec) { s.SKUs.Table[0].ERP = "HD-0001-BLK-M " },
			"spec.skus.table[0].erp", field.ErrorTypeInvalid, "whitespace"},
		{"duplicate tax rate", func(s *v1alpha1.MappingSetSpec) { s.Taxes = append(s.Taxes, s.Taxes[0]) },
			"spec.taxes[1].rateCode", field.ErrorTypeDuplicate, ""},
		{"payment method without account", func(s *v1alpha1.MappingSetSpec) { s.PaymentMethods[0].Account = "" },
			"spec.paymentMethods[0].account", field.ErrorTypeRequired, "clearing account"},
		{"shipping method with item and account", func(s *v1alpha1.MappingSetSpec) { s.ShippingMethods[0].Account = "Freight - ACME" },
			"spec.shippingMethods[0]", field.ErrorTypeInvalid, "exactly one of item or account"},
		{"duplicate warehouse", func(s *v1alpha1.MappingSetSpec) { s.Locations[1].Warehouse = "Main - ACME" },
			"spec.locations[1].warehouse", field.ErrorTypeDuplicate, ""},
		{"allocation over 100", func(s *v1alpha1.MappingSetSpec) { s.Locations[1].AllocationPercent = ptr.To[int32](150) },
			"spec.locations[1].allocationPercent", field.ErrorTypeInvalid, "between 0 and 100"},
		{"partial shipment completes the order", func(s *v1alpha1.MappingSetSpec) {
			s.OrderStatuses.ToStore = append(s.OrderStatuses.ToStore, v1alpha1.ERPStatusRule{ERP: v1alpha1.FulfillmentPartiallyShipped, Store: "completed"})
		}, "spec.orderStatuses.toStore[1].store", field.ErrorTypeInvalid, "must not be marked completed"},
		{"unknown order action", func(s *v1alpha1.MappingSetSpec) { s.OrderStatuses.ToERP[0].Action = "Ignore" },
			"spec.orderStatuses.toERP[0].action", field.ErrorTypeNotSupported, ""},
		{"maxAdjustment without a rounding account", func(s *v1alpha1.MappingSetSpec) { s.Accounts.Rounding = "" },
			"spec.accounts.rounding", field.ErrorTypeRequired, "rounding.maxAdjustment"},
		{"maxAdjustment not a number", func(s *v1alpha1.MappingSetSpec) { s.Rounding.MaxAdjustment = "five cents" },
			"spec.rounding.maxAdjustment", field.ErrorTypeInvalid, "decimal amount"},
		{"lower-case currency", func(s *v1alpha1.MappingSetSpec) { s.Currency.Code = "usd" },
			"spec.currency.code", field.ErrorTypeInvalid, "ISO 4217"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := acmeSpec()
			tc.mutate(spec)
			m, errs := Compile(setName, spec)
			if m != nil {
				t.Error("Compile() returned a Mapper for an invalid spec")
			}
			if len(errs) != 1 {
				t.Fatalf("Compile() = %v, want exactly one error at %s", errs.ToAggregate(), tc.path)
			}
			e := errs[0]
			if e.Field != tc.path || e.Type != tc.typ || !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("error = %s %s %q, want %s %s containing %q", e.Field, e.Type, e.Detail, tc.path, tc.typ, tc.detail)
			}
		})
	}
}

func TestCompileReportsEveryError(t *testing.T) {
	spec := acmeSpec()
	spec.SKUs.Rules[0].Pattern = `(`
	spec.SKUs.Rules[1].Expression = `1 +`
	spec.Taxes = append(spec.Taxes, spec.Taxes[0])
	spec.Expressions = []v1alpha1.ComputedField{{Field: v1alpha1.FieldLineWarehouse, Expression: `line.qty`}}
	_, errs := Compile(setName, spec)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Field)
	}
	want := "spec.skus.rules[0].pattern spec.skus.rules[1].expression spec.taxes[1].rateCode spec.expressions[0].expression"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("error paths = %s, want %s", got, want)
	}
}

func TestCompileNilSpec(t *testing.T) {
	if _, errs := Compile(setName, nil); len(errs) != 1 || errs[0].Type != field.ErrorTypeRequired {
		t.Errorf("Compile(nil) = %v", errs)
	}
}

func TestMapSKU(t *testing.T) {
	m := mustCompile(t, acmeSpec())
	for _, tc := range []struct{ store, want string }{
		{"HOODIE-BLK-M", "HD-0001-BLK-M"}, // table
		{"WC-CAP-RED", "ACME-CAP-RED"},    // pattern with a named group
		{"MUG-WHT", "MG-WHT"},             // CEL expression
		{"123456", "123456"},              // pattern without replacement keeps the SKU
	} {
		if got, err := m.MapSKU(tc.store); err != nil || got != tc.want {
			t.Errorf("MapSKU(%q) = %q, %v; want %q", tc.store, got, err, tc.want)
		}
	}
}

func TestMapSKUPatternsMatchTheWholeSKU(t *testing.T) {
	m := mustCompile(t, acmeSpec())
	for _, sku := range []string{"OLD-WC-CAP", "1234567", "wc-cap"} {
		_, err := m.MapSKU(sku)
		wantFailure(t, err, failure.ReasonUnmapped, `SKU "`+sku+`" is not mapped by MappingSet acme/acme`)
	}
}

func TestMapSKUUnmappedIsPermanentAndNamesSKUAndMappingSet(t *testing.T) {
	m := mustCompile(t, acmeSpec())
	_, err := m.MapSKU("SCARF-GRN")
	wantFailure(t, err, failure.ReasonUnmapped, `SKU "SCARF-GRN" is not mapped by MappingSet acme/acme`)
	if !failure.IsPermanent(err) {
		t.Error("an unmapped SKU must be Permanent so it is dead-lettered, not retried")
	}
	_, err = m.MapSKU("")
	wantFailure(t, err, failure.ReasonUnmapped, "an empty SKU is not mapped by MappingSet acme/acme")
}

func TestMapSKUPassThrough(t *testing.T) {
	spec := acmeSpec()
	spec.SKUs.Unmapped = v1alpha1.UnmappedSKUPassThrough
	m := mustCompile(t, spec)
	if got, err := m.MapSKU("SCARF-GRN"); err != nil || got != "SCARF-GRN" {
		t.Errorf("MapSKU = %q, %v; want the SKU itself", got, err)
	}
	// The table still wins over passing through.
	if got, _ := m.MapSKU("HOODIE-BLK-M"); got != "HD-0001-BLK-M" {
		t.Errorf("MapSKU(HOODIE-BLK-M) = %q", got)
	}
	if _, err := m.MapSKU(""); err == nil {
		t.Error("PassThrough must not pass an empty SKU through")
	}
}

func TestMapSKUExpressionFailureNamesTheRule(t *testing.T) {
	spec := acmeSpec()
	spec.SKUs.Rules = []v1alpha1.SKURule{{Expression: `sku.substring(5)`}}
	m := mustCompile(t, spec)
	_, err := m.MapSKU("AB")
	wantFailure(t, err, failure.ReasonUnmapped, `SKU "AB" is not mapped by MappingSet acme/acme`, "spec.skus.rules[0] failed")
}

func TestStoreSKUs(t *testing.T) {
	spec := acmeSpec()
	spec.SKUs.Table = append(spec.SKUs.Table,
		v1alpha1.SKUPair{Store: "HOODIE-BLACK-M", ERP: "HD-0001-BLK-M"}, // an alias sold under a second SKU
		v1alpha1.SKUPair{Store: "654321", ERP: "MG-0001"},               // the table wins over the identity rule
	)
	m := mustCompile(t, spec)
	for _, tc := range []struct {
		item string
		want []string
	}{
		{"HD-0001-BLK-M", []string{"HOODIE-BLACK-M", "HOODIE-BLK-M"}},
		{"123456", []string{"123456"}}, // the identity pattern rule maps it to itself
		{"MG-0001", []string{"654321"}},
	} {
		got, err := m.StoreSKUs(tc.item)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("StoreSKUs(%q) = %v, %v; want %v", tc.item, got, err, tc.want)
		}
	}
	for _, item := range []string{"ACME-CAP-RED", "654321"} { // a rewriting rule's output; a store SKU mapped elsewhere
		_, err := m.StoreSKUs(item)
		wantFailure(t, err, failure.ReasonUnmapped, `item "`+item+`" is not mapped by MappingSet acme/acme`, "list it in skus.table")
	}
	spec.SKUs.Unmapped = v1alpha1.UnmappedSKUPassThrough
	if got, err := mustCompile(t, spec).StoreSKUs("SCARF-GRN"); err != nil || !slices.Equal(got, []string{"SCARF-GRN"}) {
		t.Errorf("PassThrough: StoreSKUs(SCARF-GRN) = %v, %v", got, err)
	}
}

func TestStatusErrors(t *testing.T) {
	var errs field.ErrorList
	for i := range MaxStatusErrors + 7 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "skus", "rules").Index(i).Child("pattern"), "(", strings.Repeat("é", 600)))
	}
	got, count := StatusErrors(errs)
	if count != MaxStatusErrors+7 || len(got) != MaxStatusErrors {
		t.Fatalf("StatusErrors() kept %d of count %d", len(got), count)
	}
	if got[2].Path != "spec.skus.rules[2].pattern" {
		t.Errorf("path = %q", got[2].Path)
	}
	msg := got[0].Message
	if len(msg) > maxStatusMessage || !strings.HasSuffix(msg, "...") || !strings.HasPrefix(msg, `Invalid value: "("`) {
		t.Errorf("message (%d bytes) = %q...", len(msg), msg[:40])
	}
	if !strings.Contains(msg, "é") || strings.ContainsRune(msg, '\uFFFD') {
		t.Error("truncation split a UTF-8 character")
	}
}
