package mapping

import (
	"fmt"
	"maps"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
)

// defaultOrderActions is what the Orders flow does per WooCommerce status when the MappingSet does
// not say otherwise. Unpaid and abandoned checkouts never reach the books; refunded orders are still
// created, because the sale happened and the Finance flow posts the refund against it.
var defaultOrderActions = map[string]v1alpha1.OrderAction{
	"checkout-draft": v1alpha1.OrderActionSkip,
	"pending":        v1alpha1.OrderActionSkip,
	"failed":         v1alpha1.OrderActionSkip,
	"processing":     v1alpha1.OrderActionCreate,
	"on-hold":        v1alpha1.OrderActionCreate,
	"completed":      v1alpha1.OrderActionCreate,
	"refunded":       v1alpha1.OrderActionCreate,
	"cancelled":      v1alpha1.OrderActionCancel,
	"trash":          v1alpha1.OrderActionCancel,
}

// defaultStoreStatuses is the store status per ERP fulfilment state; "" keeps the store's status
// (a partial shipment is reported as a note with its tracking, and only a full one completes).
var defaultStoreStatuses = map[canonical.FulfillmentState]string{
	canonical.FulfillmentOnHold:           "on-hold",
	canonical.FulfillmentPartiallyShipped: "",
	canonical.FulfillmentShipped:          "completed",
	canonical.FulfillmentCancelled:        "cancelled",
	canonical.FulfillmentClosed:           "",
}

func (m *Mapper) compileOrderStatuses(path *field.Path) field.ErrorList {
	s := m.spec.OrderStatuses
	errs := oneOf(path.Child("edits"), s.Edits, v1alpha1.OrderEditUpdateDraft, v1alpha1.OrderEditCancelAndAmend, v1alpha1.OrderEditDeadLetter)
	rules, ruleErrs := table(path.Child("toERP"), s.ToERP, "status",
		func(r v1alpha1.StoreStatusRule) string { return r.Status },
		func(p *field.Path, r v1alpha1.StoreStatusRule) field.ErrorList {
			errs := required(p.Child("status"), r.Status, "the store order status")
			if r.Action == "" {
				errs = append(errs, field.Required(p.Child("action"), "one of Create, Skip or Cancel"))
			}
			return append(errs, oneOf(p.Child("action"), r.Action, v1alpha1.OrderActionCreate, v1alpha1.OrderActionSkip, v1alpha1.OrderActionCancel)...)
		})
	m.toERP = maps.Clone(defaultOrderActions)
	for status, r := range rules {
		m.toERP[status] = r.Action
	}
	states, stateErrs := table(path.Child("toStore"), s.ToStore, "erp",
		func(r v1alpha1.ERPStatusRule) canonical.FulfillmentState { return canonical.FulfillmentState(r.ERP) },
		func(p *field.Path, r v1alpha1.ERPStatusRule) field.ErrorList {
			state := canonical.FulfillmentState(r.ERP)
			if _, known := defaultStoreStatuses[state]; !known {
				return field.ErrorList{field.NotSupported(p.Child("erp"), r.ERP, []v1alpha1.FulfillmentState{
					v1alpha1.FulfillmentOnHold, v1alpha1.FulfillmentPartiallyShipped, v1alpha1.FulfillmentShipped,
					v1alpha1.FulfillmentCancelled, v1alpha1.FulfillmentClosed})}
			}
			if state == canonical.FulfillmentPartiallyShipped && r.Store == "completed" {
				return field.ErrorList{field.Invalid(p.Child("store"), r.Store, "a partially shipped order must not be marked completed: the buyer would be told everything shipped")}
			}
			return nil
		})
	m.toStore = maps.Clone(defaultStoreStatuses)
	for state, r := range states {
		m.toStore[state] = r.Store
	}
	errs = append(errs, ruleErrs...)
	return append(errs, stateErrs...)
}

// OrderAction decides what the Orders flow does in the ERP with a store order: the action for its
// status, except that an order the order.include expression excludes is skipped. A status the
// MappingSet does not know (a plugin's custom status) fails Permanent with reason Unmapped rather
// than guessing whether it is a sale.
func (m *Mapper) OrderAction(o *canonical.Order) (v1alpha1.OrderAction, error) {
	action, known := m.toERP[o.Status]
	if !known {
		return "", m.notMapped(fmt.Sprintf("order status %q (order %s)", o.Status, o.StoreID), nil)
	}
	if action != v1alpha1.OrderActionCreate {
		return action, nil
	}
	include, set, err := computeField[bool](m, v1alpha1.FieldOrderInclude, func() map[string]any { return orderActivation(o) }, "order "+o.StoreID)
	if err != nil {
		return "", err
	}
	if set && !include {
		return v1alpha1.OrderActionSkip, nil
	}
	return action, nil
}

// EditPolicy is what happens when a store order changes after its ERP order was created.
func (m *Mapper) EditPolicy() v1alpha1.OrderEditPolicy {
	if m.spec.OrderStatuses.Edits == "" {
		return v1alpha1.OrderEditUpdateDraft
	}
	return m.spec.OrderStatuses.Edits
}

// StoreStatus returns the store status to set for an ERP fulfilment state; "" means keep the store
// order's status.
func (m *Mapper) StoreStatus(state canonical.FulfillmentState) (string, error) {
	status, known := m.toStore[state]
	if !known {
		return "", m.notMapped(fmt.Sprintf("fulfilment state %q", state), nil)
	}
	return status, nil
}

// OrderFields are the ERP order fields spec.expressions computed; "" leaves a field to its default.
type OrderFields struct {
	Remarks    string
	CostCenter string
	Warehouse  string
}

// OrderFields evaluates the order.* expressions for o.
func (m *Mapper) OrderFields(o *canonical.Order) (OrderFields, error) {
	vars := sync.OnceValue(func() map[string]any { return orderActivation(o) })
	var f OrderFields
	for _, c := range []struct {
		name v1alpha1.ComputedFieldName
		dst  *string
	}{
		{v1alpha1.FieldOrderRemarks, &f.Remarks},
		{v1alpha1.FieldOrderCostCenter, &f.CostCenter},
		{v1alpha1.FieldOrderWarehouse, &f.Warehouse},
	} {
		v, _, err := computeField[string](m, c.name, vars, "order "+o.StoreID)
		if err != nil {
			return OrderFields{}, err
		}
		*c.dst = v
	}
	return f, nil
}

// LineWarehouse evaluates line.warehouse for one line of o; "" leaves the ERP's default warehouse.
func (m *Mapper) LineWarehouse(o *canonical.Order, l *canonical.OrderLine) (string, error) {
	vars := func() map[string]any {
		v := orderActivation(o)
		v[lineVar.name] = lineVars(l)
		return v
	}
	v, _, err := computeField[string](m, v1alpha1.FieldLineWarehouse, vars, fmt.Sprintf("order %s line %s", o.StoreID, l.StoreID))
	return v, err
}

func orderActivation(o *canonical.Order) map[string]any {
	return map[string]any{orderVar.name: orderVars(o), customerVar.name: customerVars(&o.Customer)}
}

// computeField evaluates the expression for f if the MappingSet has one, building its variables only
// then (most MappingSets have few expressions, and the line's is asked for on every line); set is
// false when it has none. An evaluation error (a missing map key, the cost limit) fails the record
// with reason Unmapped, naming the order or product it was evaluated for.
func computeField[T string | bool](m *Mapper, f v1alpha1.ComputedFieldName, vars func() map[string]any, subject string) (v T, set bool, err error) {
	prg, ok := m.computed[f]
	if !ok {
		return v, false, nil
	}
	if v, err = eval[T](prg, vars()); err != nil {
		return v, false, m.notMapped(subject, fmt.Errorf("expression for %s failed: %w", f, err))
	}
	return v, true, nil
}
