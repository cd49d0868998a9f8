package erpnext

import (
	"context"
	"strings"

	"github.com/retailsync/retailsync/internal/failure"
)

// Customer is an ERPNext Customer. StoreCustomerID is the store's customer id in the unique custom
// field custom_store_customer_id, which makes find-or-create safe under races.
type Customer struct {
	Name            string `json:"name,omitempty"`
	CustomerName    string `json:"customer_name"`
	CustomerType    string `json:"customer_type,omitempty"`
	CustomerGroup   string `json:"customer_group,omitempty"`
	Territory       string `json:"territory,omitempty"`
	EmailID         string `json:"email_id,omitempty"`
	MobileNo        string `json:"mobile_no,omitempty"`
	StoreCustomerID string `json:"custom_store_customer_id,omitempty"`
	Modified        string `json:"modified,omitempty"`
}

// CustomerFields are the Customer fields the client reads.
var CustomerFields = []string{"name", "customer_name", "customer_type", "customer_group", "territory", "email_id", "mobile_no", "custom_store_customer_id", "modified"}

// FindCustomer looks a customer up by the store's customer id, then by email. Names are never used
// to match: ERPNext names a second "Jane Doe" "Jane Doe - 1".
func (c *Client) FindCustomer(ctx context.Context, storeCustomerID, email string) (Customer, bool, error) {
	for _, f := range []Filter{Eq("custom_store_customer_id", storeCustomerID), Eq("email_id", email)} {
		if f.Value == "" {
			continue
		}
		var found []Customer
		if err := c.List(ctx, "Customer", ListOptions{Fields: CustomerFields, Filters: []Filter{f}, OrderBy: "creation asc", PageLength: 1}, &found); err != nil {
			return Customer{}, false, err
		}
		if len(found) > 0 {
			return found[0], true, nil
		}
	}
	return Customer{}, false, nil
}

// EnsureCustomer returns the customer matching want (by store customer id, then email) or creates
// it. When two workers race, the unique store customer id lets one insert win; the other reads the
// winner. created says this call made the customer.
func (c *Client) EnsureCustomer(ctx context.Context, want Customer) (Customer, bool, error) {
	want.CustomerName = strings.TrimSpace(want.CustomerName)
	if want.CustomerName == "" {
		return Customer{}, false, failure.Permanentf(failure.ReasonValidation, "a Customer needs a customer_name")
	}
	if want.StoreCustomerID == "" && want.EmailID == "" {
		return Customer{}, false, failure.Permanentf(failure.ReasonValidation, "customer %q has neither a store customer id nor an email to match on", want.CustomerName)
	}
	if found, ok, err := c.FindCustomer(ctx, want.StoreCustomerID, want.EmailID); err != nil || ok {
		return found, false, err
	}
	want.Name, want.Modified = "", ""
	var created Customer
	err := c.Insert(ctx, "Customer", want, &created)
	if IsDuplicate(err) && want.StoreCustomerID != "" {
		found, ok, ferr := c.FindCustomer(ctx, want.StoreCustomerID, "")
		if ferr != nil || ok {
			return found, false, ferr
		}
	}
	if err != nil {
		return Customer{}, false, err
	}
	return created, true, nil
}
