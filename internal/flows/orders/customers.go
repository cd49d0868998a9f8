package orders

import (
	"context"
	"sync"

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
	unlock := f.customers.lock(string(plan.MatchBy) + "/" + plan.Key)
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

// keyedMutex is a mutex per key, dropped when nobody holds or waits for it.
type keyedMutex struct {
	mu   sync.Mutex
	held map[string]*keyedEntry
}

type keyedEntry struct {
	mu      sync.Mutex
	waiters int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	e, ok := k.held[key]
	if !ok {
		e = &keyedEntry{}
		k.held[key] = e
	}
	e.waiters++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.waiters--; e.waiters == 0 {
			delete(k.held, key)
		}
		k.mu.Unlock()
	}
}
