package mapping

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// FuzzCompileExpression feeds arbitrary text to the CEL compiler for every target: user input must
// come back as an error, never a panic, and an expression that compiles must evaluate without one.
func FuzzCompileExpression(f *testing.F) {
	for _, seed := range []string{
		`sku.startsWith("WC-") ? "ACME-" + sku.substring(3) : ""`,
		`order.total`,
		`double(order.total) > 100.0`,
		`"Web order " + order.number`,
		`order.meta["_channel"]`,
		`product.attributes.exists(k, k == "Brand")`,
		`sku.matches("^[A-Z]+$") ? sku.lowerAscii() : ""`,
		`[1, 2, 3].map(x, x * x).size() > 2`,
		`sku.startsWith(`,
		`1 +`,
		strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300),
		strings.Repeat("sku + ", 200) + "sku",
		`"\xff\xfe"`,
		`'unterminated`,
		`order.totl`,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		targets := []target{skuRuleTarget}
		for _, name := range computedFieldNames() {
			targets = append(targets, computedTargets[name])
		}
		for _, tg := range targets {
			prg, err := tg.compile(expr)
			if err != nil || !slices.Contains(tg.vars, skuVar) {
				continue
			}
			// A compiled SKU rule runs on the hot path of every order line.
			_, _ = eval[string](prg, map[string]any{skuVar.name: "WC-HOODIE-BLK-M"})
		}
	})
}

func TestCompileRefusesOverlongExpressions(t *testing.T) {
	spec := acmeSpec()
	spec.SKUs.Rules[1].Expression = `"` + strings.Repeat("a", maxExpressionLength) + `"`
	_, errs := Compile(setName, spec)
	if len(errs) != 1 || errs[0].Field != "spec.skus.rules[1].expression" || !strings.Contains(errs[0].Detail, "longer than 1024") {
		t.Errorf("Compile() = %v", errs.ToAggregate())
	}
}

func TestExpressionCostIsBounded(t *testing.T) {
	// Each step squares the list; evaluation must stop at the cost limit, not exhaust the worker.
	spec := acmeSpec()
	spec.SKUs.Rules = []v1alpha1.SKURule{{Expression: `[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10].map(f, sku)))))).size() > 0 ? sku : ""`}}
	m := mustCompile(t, spec)
	_, err := m.MapSKU("HOODIE")
	if err == nil || !strings.Contains(err.Error(), "cost limit") {
		t.Errorf("MapSKU() = %v, want a cost limit failure", err)
	}
}

// TestComputedTargetsMatchTheAPI keeps the CRD's enum of computable fields and the compiler's
// targets in step: a field in one but not the other would be accepted by one and refused by the other.
func TestComputedTargetsMatchTheAPI(t *testing.T) {
	src, err := os.ReadFile("../../api/v1alpha1/mappingset_types.go")
	if err != nil {
		t.Fatal(err)
	}
	enum := regexp.MustCompile(`Enum=(order\.include;[^\s]+)`).FindSubmatch(src)
	if enum == nil {
		t.Fatal("no Enum marker for ComputedField.Field found in mappingset_types.go")
	}
	api := strings.Split(string(enum[1]), ";")
	slices.Sort(api)
	var compiler []string
	for _, n := range computedFieldNames() {
		compiler = append(compiler, string(n))
	}
	if !slices.Equal(api, compiler) {
		t.Errorf("CRD enum %v, compiler targets %v", api, compiler)
	}
}

// TestVariablesAreDocumented keeps the variable list users read in `kubectl explain
// mappingset.spec.expressions` in step with what the compiler declares.
func TestVariablesAreDocumented(t *testing.T) {
	src, err := os.ReadFile("../../api/v1alpha1/mappingset_types.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []celVar{orderVar, lineVar, customerVar, productVar} {
		doc := regexp.MustCompile(`(?m)^\s*//\s+` + v.name + `: (.*(\n\s*//\s{4,}.*)*)`).FindSubmatch(src)
		if doc == nil {
			t.Errorf("variable %s is not documented on MappingSetSpec.Expressions", v.name)
			continue
		}
		for i := range v.typ.NumField() {
			tag := v.typ.Field(i).Tag.Get("cel")
			if !regexp.MustCompile(`\b` + tag + `\b`).Match(doc[1]) {
				t.Errorf("%s.%s is not documented on MappingSetSpec.Expressions", v.name, tag)
			}
		}
	}
}
