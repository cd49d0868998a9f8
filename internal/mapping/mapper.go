// Package mapping applies a MappingSet to canonical objects: it turns store SKUs into ERP item codes,
// tax rates, payment and shipping methods into ERP accounts, store statuses into order actions, and
// ERP stock positions into the store's available-to-sell quantity.
//
// Compile checks a MappingSetSpec once, including everything the CRD schema cannot say (regular
// expressions, CEL expressions type-checked against the canonical model, cross-field rules), and
// returns every problem with its field path. The Mapper it returns is immutable and safe for
// concurrent use by a worker's jobs.
//
// Like the rest of the worker engine this package has no Kubernetes client or controller imports. It
// does import api/v1alpha1, for the MappingSetSpec data type only, and apimachinery's field package,
// for error paths users already know from kubectl: the spec is the contract, and a second copy of it
// as engine structs would be copy-paste that drifts.
package mapping

import (
	"maps"
	"regexp"
	"slices"

	"github.com/google/cel-go/cel"
	"github.com/shopspring/decimal"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/failure"
)

// Mapper applies one compiled MappingSet.
type Mapper struct {
	// name is "namespace/name" of the MappingSet, named in every failure so a dead letter says which
	// MappingSet to fix.
	name string
	spec v1alpha1.MappingSetSpec

	skuTable        map[string]v1alpha1.SKUPair
	skusByItem      map[string][]string
	skuRules        []skuRule
	taxes           map[string]v1alpha1.TaxMapping
	taxClasses      map[string]v1alpha1.TaxClassMapping
	payments        map[string]v1alpha1.PaymentMethodMapping
	shipping        map[string]v1alpha1.ShippingMethodMapping
	toERP           map[string]v1alpha1.OrderAction
	toStore         map[canonical.FulfillmentState]string
	locations       map[string]v1alpha1.Location
	computed        map[v1alpha1.ComputedFieldName]cel.Program
	roundingMode    canonical.RoundingMode
	maxAdjustment   decimal.Decimal
	createCustomers bool
}

type skuRule struct {
	path        string
	re          *regexp.Regexp
	replacement string
	program     cel.Program
}

// Compile checks spec and builds its Mapper. name is the MappingSet's "namespace/name". On any error
// the Mapper is nil and the list holds every problem found, each with its path (for example
// spec.skus.rules[2].expression), ready for the MappingSet's status.
//
// The API server already enforces the schema; Compile repeats the cheap parts the Mapper relies on
// (unique keys, enums, exclusive fields) so that a spec that never passed an API server (the demo,
// tests, a future file-based config) cannot build an ambiguous Mapper.
func Compile(name string, spec *v1alpha1.MappingSetSpec) (*Mapper, field.ErrorList) {
	root := field.NewPath("spec")
	if spec == nil {
		return nil, field.ErrorList{field.Required(root, "a MappingSet needs a spec")}
	}
	m := &Mapper{name: name, spec: *spec.DeepCopy(), createCustomers: true}
	var errs field.ErrorList
	errs = append(errs, m.compileCurrency(root.Child("currency"))...)
	errs = append(errs, m.compileSKUs(root.Child("skus"))...)
	errs = append(errs, m.compileTaxes(root)...)
	errs = append(errs, m.compileMethods(root)...)
	errs = append(errs, m.compileOrderStatuses(root.Child("orderStatuses"))...)
	errs = append(errs, m.compileCustomers(root.Child("customers"))...)
	errs = append(errs, m.compileLocations(root.Child("locations"))...)
	errs = append(errs, m.compileRounding(root)...)
	errs = append(errs, m.compileExpressions(root.Child("expressions"))...)
	if len(errs) > 0 {
		return nil, errs
	}
	return m, nil
}

// Name is the MappingSet's "namespace/name".
func (m *Mapper) Name() string { return m.name }

// Company is the ERP company to post to; "" means the ERP user's default.
func (m *Mapper) Company() string { return m.spec.Company }

// notMapped is the failure for a value this MappingSet does not cover, e.g. `SKU "X" is not mapped
// by MappingSet acme/acme`. It is Permanent: the record is dead-lettered at once and replayed after
// the MappingSet is fixed. thing names the value; because, if not nil, says more.
func (m *Mapper) notMapped(thing string, because error) error {
	msg := thing + " is not mapped by MappingSet " + m.name
	if because != nil {
		msg += ": " + because.Error()
	}
	return &failure.Error{Kind: failure.Permanent, Reason: failure.ReasonUnmapped, Message: msg, Err: because}
}

// table indexes a list the schema declares as listType=map: each entry is checked with check (given
// its path), and a key seen before is reported as a duplicate at path[i].keyField, the way the API
// server reports it.
func table[T any, K ~string](path *field.Path, items []T, keyField string, key func(T) K, check func(*field.Path, T) field.ErrorList) (map[K]T, field.ErrorList) {
	out := make(map[K]T, len(items))
	var errs field.ErrorList
	for i, item := range items {
		p := path.Index(i)
		errs = append(errs, check(p, item)...)
		k := key(item)
		if _, dup := out[k]; dup {
			errs = append(errs, field.Duplicate(p.Child(keyField), k))
			continue
		}
		out[k] = item
	}
	return out, errs
}

// oneOf checks value is empty (defaulted) or one of allowed.
func oneOf[T ~string](path *field.Path, value T, allowed ...T) field.ErrorList {
	if value == "" {
		return nil
	}
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(path, value, allowed)}
}

func required(path *field.Path, value, what string) field.ErrorList {
	if value == "" {
		return field.ErrorList{field.Required(path, what)}
	}
	return nil
}

func (m *Mapper) compileCurrency(path *field.Path) field.ErrorList {
	c := m.spec.Currency
	errs := oneOf(path.Child("foreign"), c.Foreign, v1alpha1.ForeignCurrencyDeadLetter, v1alpha1.ForeignCurrencyPost)
	if c.Code != "" && !canonical.ValidCurrency(c.Code) {
		errs = append(errs, field.Invalid(path.Child("code"), c.Code, "must be an ISO 4217 code such as USD"))
	}
	return errs
}

func (m *Mapper) compileTaxes(root *field.Path) field.ErrorList {
	var taxErrs, classErrs field.ErrorList
	m.taxes, taxErrs = table(root.Child("taxes"), m.spec.Taxes, "rateCode",
		func(t v1alpha1.TaxMapping) string { return t.RateCode },
		func(p *field.Path, t v1alpha1.TaxMapping) field.ErrorList {
			return append(required(p.Child("rateCode"), t.RateCode, "the store's tax rate code"),
				required(p.Child("account"), t.Account, "the ERP account the tax is posted to")...)
		})
	m.taxClasses, classErrs = table(root.Child("taxClasses"), m.spec.TaxClasses, "class",
		func(c v1alpha1.TaxClassMapping) string { return c.Class },
		func(p *field.Path, c v1alpha1.TaxClassMapping) field.ErrorList {
			return append(required(p.Child("class"), c.Class, `the store's tax class slug ("standard" for the default class)`),
				required(p.Child("itemTaxTemplate"), c.ItemTaxTemplate, "the ERP Item Tax Template")...)
		})
	return append(taxErrs, classErrs...)
}

func (m *Mapper) compileMethods(root *field.Path) field.ErrorList {
	var paymentErrs, shippingErrs field.ErrorList
	m.payments, paymentErrs = table(root.Child("paymentMethods"), m.spec.PaymentMethods, "store",
		func(pm v1alpha1.PaymentMethodMapping) string { return pm.Store },
		func(p *field.Path, pm v1alpha1.PaymentMethodMapping) field.ErrorList {
			errs := required(p.Child("store"), pm.Store, "the store's payment gateway id")
			errs = append(errs, required(p.Child("modeOfPayment"), pm.ModeOfPayment, "the ERP mode of payment")...)
			return append(errs, required(p.Child("account"), pm.Account, "the clearing account payments are received into")...)
		})
	m.shipping, shippingErrs = table(root.Child("shippingMethods"), m.spec.ShippingMethods, "store",
		func(sm v1alpha1.ShippingMethodMapping) string { return sm.Store },
		func(p *field.Path, sm v1alpha1.ShippingMethodMapping) field.ErrorList {
			errs := required(p.Child("store"), sm.Store, "the store's shipping method id")
			if (sm.Item == "") == (sm.Account == "") {
				errs = append(errs, field.Invalid(p, sm.Store, "set exactly one of item or account"))
			}
			return errs
		})
	return append(paymentErrs, shippingErrs...)
}

func (m *Mapper) compileCustomers(path *field.Path) field.ErrorList {
	c := m.spec.Customers
	if c.CreateMissing != nil {
		m.createCustomers = *c.CreateMissing
	}
	return oneOf(path.Child("matchBy"), c.MatchBy, v1alpha1.MatchByEmail, v1alpha1.MatchByStoreCustomerID)
}

func (m *Mapper) compileLocations(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	m.locations, errs = table(path, m.spec.Locations, "warehouse",
		func(l v1alpha1.Location) string { return l.Warehouse },
		func(p *field.Path, l v1alpha1.Location) field.ErrorList {
			errs := required(p.Child("warehouse"), l.Warehouse, "the ERP warehouse")
			if l.SafetyStock < 0 {
				errs = append(errs, field.Invalid(p.Child("safetyStock"), l.SafetyStock, "must not be negative"))
			}
			if a := l.AllocationPercent; a != nil && (*a < 0 || *a > 100) {
				errs = append(errs, field.Invalid(p.Child("allocationPercent"), *a, "must be between 0 and 100"))
			}
			return errs
		})
	return errs
}

func (m *Mapper) compileRounding(root *field.Path) field.ErrorList {
	r, path := m.spec.Rounding, root.Child("rounding")
	errs := oneOf(path.Child("mode"), r.Mode, v1alpha1.RoundHalfUp, v1alpha1.RoundHalfEven)
	if r.Mode == v1alpha1.RoundHalfEven {
		m.roundingMode = canonical.HalfEven
	}
	if p := r.Precision; p != nil && (*p < 0 || *p > 6) {
		errs = append(errs, field.Invalid(path.Child("precision"), *p, "must be between 0 and 6"))
	}
	if r.MaxAdjustment == "" {
		return errs
	}
	adj, err := decimal.NewFromString(r.MaxAdjustment)
	switch {
	case err != nil || adj.IsNegative():
		errs = append(errs, field.Invalid(path.Child("maxAdjustment"), r.MaxAdjustment, "must be a decimal amount of at least zero, such as 0.05"))
	case adj.IsPositive() && m.spec.Accounts.Rounding == "":
		// Absorbing a difference means posting it somewhere; without an account the ERP refuses.
		errs = append(errs, field.Required(root.Child("accounts", "rounding"), "needed to write off rounding differences up to rounding.maxAdjustment"))
	default:
		m.maxAdjustment = adj
	}
	return errs
}

func (m *Mapper) compileExpressions(path *field.Path) field.ErrorList {
	m.computed = make(map[v1alpha1.ComputedFieldName]cel.Program, len(m.spec.Expressions))
	_, errs := table(path, m.spec.Expressions, "field",
		func(e v1alpha1.ComputedField) v1alpha1.ComputedFieldName { return e.Field },
		func(p *field.Path, e v1alpha1.ComputedField) field.ErrorList {
			t, known := computedTargets[e.Field]
			if !known {
				return field.ErrorList{field.NotSupported(p.Child("field"), e.Field, computedFieldNames())}
			}
			prg, err := t.compile(e.Expression)
			if err != nil {
				return field.ErrorList{field.Invalid(p.Child("expression"), e.Expression, err.Error())}
			}
			if _, dup := m.computed[e.Field]; !dup {
				m.computed[e.Field] = prg
			}
			return nil
		})
	return errs
}

func computedFieldNames() []v1alpha1.ComputedFieldName {
	return slices.Sorted(maps.Keys(computedTargets))
}
