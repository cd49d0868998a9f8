package canonical

import "strings"

// Customer is the buyer of an order as the store knows them.
type Customer struct {
	// StoreID is the store's customer id; empty for a guest (WooCommerce customer_id 0).
	StoreID   string  `json:"storeID,omitempty"`
	Email     string  `json:"email,omitempty"`
	FirstName string  `json:"firstName,omitempty"`
	LastName  string  `json:"lastName,omitempty"`
	Company   string  `json:"company,omitempty"`
	Phone     string  `json:"phone,omitempty"`
	Billing   Address `json:"billing"`
	Shipping  Address `json:"shipping"`
}

// Address is a postal address.
type Address struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Company   string `json:"company,omitempty"`
	Line1     string `json:"line1,omitempty"`
	Line2     string `json:"line2,omitempty"`
	City      string `json:"city,omitempty"`
	State     string `json:"state,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code.
	Country string `json:"country,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// IsGuest reports whether the customer checked out without a store account.
func (c Customer) IsGuest() bool { return c.StoreID == "" }

// ContactEmail is the address to match the customer by: the account email, else the billing email,
// normalised (trimmed, lower case) because stores and ERPs compare emails with different rules.
func (c Customer) ContactEmail() string {
	e := c.Email
	if strings.TrimSpace(e) == "" {
		e = c.Billing.Email
	}
	return strings.ToLower(strings.TrimSpace(e))
}

// DisplayName is the name an ERP customer is created with: the company for a business buyer,
// otherwise the person's name, otherwise the email.
func (c Customer) DisplayName() string {
	if n := strings.TrimSpace(c.Company); n != "" {
		return n
	}
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	if n := strings.TrimSpace(c.Billing.FirstName + " " + c.Billing.LastName); n != "" {
		return n
	}
	return c.ContactEmail()
}
