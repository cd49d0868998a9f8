package orders

import (
	"context"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/mapping"
)

// customer returns the ERP customer an order is booked against, per the MappingSet: the guest
// customer for guests when it names one; otherwise the customer matched by email or store customer
// id, created (with the store customer id in its unique field) when missing and allowed.
func (f *Flow) customer(ctx context.Context, erp *erpnext.Client, m *mapping.Mapper, o *canonical.Order) (string, error) {
	plan, err := m.PlanCustomer(o)
	if err != nil {
		return "", err
	}
	if plan.Customer != "" {
		return plan.Customer, nil
	}
	unlock, err := f.customers.Lock(ctx, string(plan.MatchBy)+"/"+plan.Key)
	if err != nil {
		return "", err
	}
	defer unlock()
	if plan.Create == nil {
		storeID, email := "", plan.Key
		if plan.MatchBy == v1alpha1.MatchByStoreCustomerID {
			storeID, email = plan.Key, ""
		}
		found, ok, err := erp.FindCustomer(ctx, storeID, email)
		switch {
		case err != nil:
			return "", err
		case !ok:
			return "", m.CustomerNotFound(o, plan)
		}
		return found.Name, nil
	}
	want := erpnext.Customer{
		CustomerName: plan.Create.Name, CustomerType: "Individual",
		CustomerGroup: plan.Create.Group, Territory: plan.Create.Territory,
		EmailID: plan.Create.Email, MobileNo: o.Customer.Phone, StoreCustomerID: plan.Create.StoreID,
	}
	if o.Customer.Company != "" {
		want.CustomerType = "Company"
	}
	got, created, err := erp.EnsureCustomer(ctx, want)
	if err != nil {
		return "", err
	}
	if created {
		f.deps.Log.Info("Created an ERP customer", "customer", got.Name, "order", o.StoreID)
	}
	return got.Name, nil
}
