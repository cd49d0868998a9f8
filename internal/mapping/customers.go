package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"sync"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
)

// CustomerPlan says how the Orders flow finds the ERP customer of an order.
type CustomerPlan struct {
	// Customer is the ERP customer to book against without a lookup (the guest customer), or "".
	Customer string
	// MatchBy and Key find the ERP customer when Customer is "": an email (lower case) or the store's
	// customer id.
	MatchBy v1alpha1.CustomerMatchKey
	Key     string
	// Create is the customer to create when none matches; nil when the MappingSet forbids creating
	// customers, and the flow must then fail the order with CustomerNotFound.
	Create *NewCustomer
}

// NewCustomer is an ERP customer to create.
type NewCustomer struct {
	Name      string
	Email     string
	StoreID   string
	Group     string
	Territory string
}

// PlanCustomer decides how to find or create the ERP customer of o. Guests book against the guest
// customer when the MappingSet names one, otherwise they are matched by billing email like everyone
// else. Customers are never matched by name: names are not unique.
func (m *Mapper) PlanCustomer(o *canonical.Order) (CustomerPlan, error) {
	c, spec := o.Customer, m.spec.Customers
	if c.IsGuest() && spec.GuestCustomer != "" {
		return CustomerPlan{Customer: spec.GuestCustomer}, nil
	}
	plan := CustomerPlan{MatchBy: v1alpha1.MatchByEmail, Key: c.ContactEmail()}
	if !c.IsGuest() && spec.MatchBy == v1alpha1.MatchByStoreCustomerID {
		plan.MatchBy, plan.Key = v1alpha1.MatchByStoreCustomerID, c.StoreID
	}
	if plan.Key == "" {
		why := "the order has no email to match the customer by"
		if c.IsGuest() {
			why += " and customers.guestCustomer is not set"
		}
		return CustomerPlan{}, m.notMapped(fmt.Sprintf("the customer of order %s", o.StoreID), errors.New(why))
	}
	if !m.createCustomers {
		return plan, nil
	}
	vars := sync.OnceValue(func() map[string]any { return orderActivation(o) })
	subject := "order " + o.StoreID
	group, _, err := computeField[string](m, v1alpha1.FieldCustomerGroup, vars, subject)
	if err != nil {
		return CustomerPlan{}, err
	}
	territory, _, err := computeField[string](m, v1alpha1.FieldCustomerTerritory, vars, subject)
	if err != nil {
		return CustomerPlan{}, err
	}
	plan.Create = &NewCustomer{Name: c.DisplayName(), Email: c.ContactEmail(), StoreID: c.StoreID,
		Group: cmp.Or(group, spec.CustomerGroup), Territory: cmp.Or(territory, spec.Territory)}
	return plan, nil
}

// CustomerNotFound is the failure when no ERP customer matches o's plan and the plan may not create
// one. It names the order, not the email: failures reach status and logs, personal data should not.
func (m *Mapper) CustomerNotFound(o *canonical.Order, p CustomerPlan) error {
	return m.notMapped(fmt.Sprintf("the customer of order %s (matched by %s)", o.StoreID, p.MatchBy),
		errors.New("no ERP customer matches and customers.createMissing is false"))
}
