package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

func (m *Mapper) compileSKUs(path *field.Path) field.ErrorList {
	s := m.spec.SKUs
	errs := oneOf(path.Child("unmapped"), s.Unmapped, v1alpha1.UnmappedSKUDeadLetter, v1alpha1.UnmappedSKUPassThrough)
	pairs, pairErrs := table(path.Child("table"), s.Table, "store",
		func(pair v1alpha1.SKUPair) string { return pair.Store },
		func(p *field.Path, pair v1alpha1.SKUPair) field.ErrorList {
			return append(checkCode(p.Child("store"), pair.Store, "the store SKU"),
				checkCode(p.Child("erp"), pair.ERP, "the ERP item code")...)
		})
	m.skuTable, errs = pairs, append(errs, pairErrs...)
	m.skusByItem = make(map[string][]string, len(pairs))
	for _, pair := range s.Table {
		m.skusByItem[pair.ERP] = append(m.skusByItem[pair.ERP], pair.Store)
	}
	for i, r := range s.Rules {
		rule, ruleErrs := compileSKURule(path.Child("rules").Index(i), r)
		errs = append(errs, ruleErrs...)
		m.skuRules = append(m.skuRules, rule)
	}
	return errs
}

// checkCode refuses empty codes and codes with surrounding whitespace: "HOODIE-BLK-M " would never
// match the store's SKU, and the mismatch is invisible in YAML.
func checkCode(path *field.Path, code, what string) field.ErrorList {
	if code == "" {
		return field.ErrorList{field.Required(path, what)}
	}
	if strings.TrimSpace(code) != code {
		return field.ErrorList{field.Invalid(path, code, "must not begin or end with whitespace")}
	}
	return nil
}

func compileSKURule(path *field.Path, r v1alpha1.SKURule) (skuRule, field.ErrorList) {
	rule := skuRule{path: path.String(), replacement: r.Replacement}
	switch {
	case (r.Pattern == "") == (r.Expression == ""):
		return rule, field.ErrorList{field.Invalid(path, r, "set exactly one of pattern or expression")}
	case r.Expression != "":
		if r.Replacement != "" {
			return rule, field.ErrorList{field.Forbidden(path.Child("replacement"), "replacement is only used with pattern")}
		}
		prg, err := skuRuleTarget.compile(r.Expression)
		if err != nil {
			return rule, field.ErrorList{field.Invalid(path.Child("expression"), r.Expression, err.Error())}
		}
		rule.program = prg
		return rule, nil
	}
	// The pattern must match the whole SKU: a rule for "WC-" must not also catch "OLD-WC-1".
	re, err := regexp.Compile(`^(?:` + r.Pattern + `)$`)
	if err != nil {
		return rule, field.ErrorList{field.Invalid(path.Child("pattern"), r.Pattern, strings.TrimPrefix(err.Error(), "error parsing regexp: "))}
	}
	rule.re = re
	if rule.replacement == "" {
		rule.replacement = "$0"
	}
	if err := checkGroupReferences(re, rule.replacement); err != nil {
		return rule, field.ErrorList{field.Invalid(path.Child("replacement"), r.Replacement, err.Error())}
	}
	return rule, nil
}

// checkGroupReferences refuses a replacement that names a group the pattern does not have. Go's
// regexp would silently expand it to nothing; worse, "$1x" means the group named "1x", not group 1
// followed by "x", which is a classic surprise.
func checkGroupReferences(re *regexp.Regexp, replacement string) error {
	names := map[string]bool{"0": true}
	for i, n := range re.SubexpNames() {
		names[strconv.Itoa(i)] = true
		if n != "" {
			names[n] = true
		}
	}
	for i := 0; i < len(replacement); i++ {
		if replacement[i] != '$' || i+1 == len(replacement) {
			continue
		}
		rest := replacement[i+1:]
		var name string
		switch {
		case rest[0] == '$': // "$$" is a literal dollar sign
			i++
			continue
		case rest[0] == '{':
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return fmt.Errorf("unclosed ${ at position %d", i)
			}
			name = rest[1:end]
		default:
			end := strings.IndexFunc(rest, func(r rune) bool {
				return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(rest)
			}
			name = rest[:end]
		}
		if name != "" && !names[name] {
			return fmt.Errorf("refers to group %q, which pattern does not have (write ${1}x for group 1 followed by x)", name)
		}
	}
	return nil
}

// MapSKU returns the ERP item code for a store SKU: from the table, else from the first rule that
// maps it, else the SKU itself when unmapped is PassThrough. Otherwise it fails Permanent with reason
// Unmapped, naming the SKU and the MappingSet, so the record is dead-lettered and can be replayed once
// the MappingSet maps the SKU.
func (m *Mapper) MapSKU(storeSKU string) (string, error) {
	if storeSKU == "" {
		// Even PassThrough cannot use an empty item code.
		return "", m.notMapped("an empty SKU", nil)
	}
	if pair, ok := m.skuTable[storeSKU]; ok {
		return pair.ERP, nil
	}
	for _, r := range m.skuRules {
		code, err := r.apply(storeSKU)
		if err != nil {
			return "", m.notMapped(fmt.Sprintf("SKU %q", storeSKU), fmt.Errorf("%s failed: %w", r.path, err))
		}
		if code != "" {
			return code, nil
		}
	}
	if m.spec.SKUs.Unmapped == v1alpha1.UnmappedSKUPassThrough {
		return storeSKU, nil
	}
	return "", m.notMapped(fmt.Sprintf("SKU %q", storeSKU), nil)
}

// apply returns the item code the rule derives from sku, "" when the rule does not map it.
func (r skuRule) apply(sku string) (string, error) {
	if r.program != nil {
		return eval[string](r.program, map[string]any{skuVar.name: sku})
	}
	match := r.re.FindStringSubmatchIndex(sku)
	if match == nil {
		return "", nil
	}
	return string(r.re.ExpandString(nil, r.replacement, sku, match)), nil
}

// StoreSKUs returns the store SKUs that map to an ERP item code, sorted: the table's entries for it
// (several when the store sells one item under aliases) and the item code itself when it maps to
// itself (PassThrough, or a rule that keeps SKUs unchanged). The Catalog and Inventory flows use it to
// find the store products of an ERP item. Rules that rewrite SKUs cannot be reversed, so an item only
// such a rule reaches fails with reason Unmapped until the table lists it.
func (m *Mapper) StoreSKUs(itemCode string) ([]string, error) {
	skus := slices.Clone(m.skusByItem[itemCode])
	if _, listed := m.skuTable[itemCode]; !listed {
		if code, err := m.MapSKU(itemCode); err == nil && code == itemCode {
			skus = append(skus, itemCode)
		}
	}
	if len(skus) == 0 {
		return nil, m.notMapped(fmt.Sprintf("item %q", itemCode), errors.New("no store SKU maps to it; list it in skus.table"))
	}
	slices.Sort(skus)
	return skus, nil
}
