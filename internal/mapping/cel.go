package mapping

import (
	"fmt"
	"path"
	"reflect"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
)

// The variables CEL expressions see. They are views of the canonical objects rather than the objects
// themselves so that the names users write are stable (the `cel` tags), money stays exact (amounts
// are decimal strings, never doubles), and a typo such as order.totl is a compile error.

// OrderVars is `order` in expressions.
type OrderVars struct {
	ID              string            `cel:"id"`
	Number          string            `cel:"number"`
	Status          string            `cel:"status"`
	Currency        string            `cel:"currency"`
	PaymentMethod   string            `cel:"paymentMethod"`
	CustomerNote    string            `cel:"customerNote"`
	Total           string            `cel:"total"`
	TotalTax        string            `cel:"totalTax"`
	DiscountTotal   string            `cel:"discountTotal"`
	ShippingTotal   string            `cel:"shippingTotal"`
	CouponCodes     []string          `cel:"couponCodes"`
	ShippingMethods []string          `cel:"shippingMethods"`
	BillingCountry  string            `cel:"billingCountry"`
	ShippingCountry string            `cel:"shippingCountry"`
	Created         time.Time         `cel:"created"`
	Meta            map[string]string `cel:"meta"`
}

// LineVars is `line` in expressions.
type LineVars struct {
	SKU      string `cel:"sku"`
	Name     string `cel:"name"`
	Quantity string `cel:"quantity"`
	TaxClass string `cel:"taxClass"`
	Total    string `cel:"total"`
}

// CustomerVars is `customer` in expressions.
type CustomerVars struct {
	StoreID string `cel:"storeID"`
	Guest   bool   `cel:"guest"`
	Email   string `cel:"email"`
	Name    string `cel:"name"`
	Company string `cel:"company"`
	Country string `cel:"country"`
}

// ProductVars is `product` in expressions.
type ProductVars struct {
	ItemCode   string            `cel:"itemCode"`
	Name       string            `cel:"name"`
	Type       string            `cel:"type"`
	Group      string            `cel:"group"`
	Disabled   bool              `cel:"disabled"`
	Attributes map[string]string `cel:"attributes"`
}

// celVar is a variable an expression may use.
type celVar struct {
	name string
	typ  reflect.Type // nil for the plain string `sku`
}

var (
	skuVar      = celVar{name: "sku"}
	orderVar    = celVar{"order", reflect.TypeFor[OrderVars]()}
	lineVar     = celVar{"line", reflect.TypeFor[LineVars]()}
	customerVar = celVar{"customer", reflect.TypeFor[CustomerVars]()}
	productVar  = celVar{"product", reflect.TypeFor[ProductVars]()}
)

// target is what an expression computes: its variables and result type.
type target struct {
	vars   []celVar
	result *cel.Type
}

// skuRuleTarget is the target of spec.skus.rules[*].expression.
var skuRuleTarget = target{vars: []celVar{skuVar}, result: cel.StringType}

// computedTargets lists the fields spec.expressions may compute; it must agree with the enum on
// v1alpha1.ComputedField.Field (TestComputedTargetsMatchTheAPI checks).
var computedTargets = map[v1alpha1.ComputedFieldName]target{
	v1alpha1.FieldOrderInclude:      {[]celVar{orderVar, customerVar}, cel.BoolType},
	v1alpha1.FieldOrderRemarks:      {[]celVar{orderVar, customerVar}, cel.StringType},
	v1alpha1.FieldOrderCostCenter:   {[]celVar{orderVar, customerVar}, cel.StringType},
	v1alpha1.FieldOrderWarehouse:    {[]celVar{orderVar, customerVar}, cel.StringType},
	v1alpha1.FieldLineWarehouse:     {[]celVar{orderVar, customerVar, lineVar}, cel.StringType},
	v1alpha1.FieldCustomerGroup:     {[]celVar{customerVar, orderVar}, cel.StringType},
	v1alpha1.FieldCustomerTerritory: {[]celVar{customerVar, orderVar}, cel.StringType},
	v1alpha1.FieldProductPublish:    {[]celVar{productVar}, cel.BoolType},
}

const (
	// maxExpressionLength matches the schema's maxLength, for specs that never passed the API server.
	maxExpressionLength = 1024
	// evalCostLimit bounds one evaluation (CEL's abstract cost units), so a pathological expression
	// over a large order fails instead of stalling a worker.
	evalCostLimit = 1_000_000
)

// baseEnv declares every type and library once; each target extends it with only its variables, so
// an expression that uses a variable its field does not provide fails to compile.
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(orderVar.typ, lineVar.typ, customerVar.typ, productVar.typ, ext.ParseStructTags(true)),
		ext.Strings(),
		cel.ParserExpressionSizeLimit(maxExpressionLength),
	)
})

func (t target) env() (*cel.Env, error) {
	base, err := baseEnv()
	if err != nil {
		return nil, err
	}
	opts := make([]cel.EnvOption, 0, len(t.vars))
	for _, v := range t.vars {
		typ := cel.StringType
		if v.typ != nil {
			// The name ext.NativeTypes registers: the package's last path element and the type.
			typ = cel.ObjectType(path.Base(v.typ.PkgPath()) + "." + v.typ.Name())
		}
		opts = append(opts, cel.Variable(v.name, typ))
	}
	return base.Extend(opts...)
}

// compile parses and type-checks expr for t. The error is what a user reads in status: CEL's own
// message with line, column and a caret.
func (t target) compile(expr string) (cel.Program, error) {
	if len(expr) > maxExpressionLength {
		return nil, fmt.Errorf("longer than %d characters", maxExpressionLength)
	}
	env, err := t.env()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	// dyn (e.g. a value read from a map of dyn) is checked at evaluation instead.
	if out := ast.OutputType(); !out.IsExactType(t.result) && !out.IsExactType(cel.DynType) {
		return nil, fmt.Errorf("must return %s, not %s", t.result, out)
	}
	return env.Program(ast, cel.CostLimit(evalCostLimit))
}

// eval runs a compiled expression and checks its result type.
func eval[T string | bool](prg cel.Program, vars map[string]any) (T, error) {
	var zero T
	out, _, err := prg.Eval(vars)
	if err != nil {
		return zero, err
	}
	v, ok := out.Value().(T)
	if !ok {
		return zero, fmt.Errorf("returned %s, not %T", out.Type().TypeName(), zero)
	}
	return v, nil
}

func orderVars(o *canonical.Order) OrderVars {
	v := OrderVars{
		ID: o.StoreID, Number: o.Number, Status: o.Status, Currency: o.Currency,
		PaymentMethod: o.PaymentMethod, CustomerNote: o.CustomerNote,
		Total: amount(o.Total), TotalTax: amount(o.TotalTax), DiscountTotal: amount(o.DiscountTotal),
		BillingCountry: o.Customer.Billing.Country, ShippingCountry: o.Customer.Shipping.Country,
		Created: o.Created, Meta: o.Meta,
		CouponCodes: []string{}, ShippingMethods: []string{},
	}
	if v.Meta == nil {
		v.Meta = map[string]string{}
	}
	shipping := canonical.Zero(o.Currency)
	for _, s := range o.Shipping {
		v.ShippingMethods = append(v.ShippingMethods, s.MethodID)
		if sum, err := shipping.Add(s.Total); err == nil {
			shipping = sum
		}
	}
	v.ShippingTotal = amount(shipping)
	for _, c := range o.Coupons {
		v.CouponCodes = append(v.CouponCodes, c.Code)
	}
	return v
}

func lineVars(l *canonical.OrderLine) LineVars {
	return LineVars{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity.String(), TaxClass: l.TaxClass, Total: amount(l.Total)}
}

func customerVars(c *canonical.Customer) CustomerVars {
	country := c.Billing.Country
	if country == "" {
		country = c.Shipping.Country
	}
	return CustomerVars{StoreID: c.StoreID, Guest: c.IsGuest(), Email: c.ContactEmail(), Name: c.DisplayName(),
		Company: c.Company, Country: country}
}

func productVars(p *canonical.Product) ProductVars {
	attrs := p.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	return ProductVars{ItemCode: p.ItemCode, Name: p.Name, Type: string(p.Type), Group: p.Group,
		Disabled: p.Disabled, Attributes: attrs}
}

// amount is a money amount as an exact decimal string, "" when absent.
func amount(m canonical.Money) string {
	if m.Currency == "" {
		return ""
	}
	return m.Amount.String()
}
