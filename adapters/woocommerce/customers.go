package woocommerce

import (
	"context"
	"iter"
)

// CustomerUpdate changes the named fields of a customer; nil fields are not sent.
type CustomerUpdate struct {
	ID        int64      `json:"id,omitempty"`
	Email     *string    `json:"email,omitempty"`
	FirstName *string    `json:"first_name,omitempty"`
	LastName  *string    `json:"last_name,omitempty"`
	Billing   *Address   `json:"billing,omitempty"`
	Shipping  *Address   `json:"shipping,omitempty"`
	MetaData  []MetaData `json:"meta_data,omitempty"`
}

// Customers walks registered customers.
func (c *Client) Customers(ctx context.Context, opts ListOptions) iter.Seq2[Customer, error] {
	return list[Customer](ctx, c, "customers", opts)
}

// Customer reads one customer.
func (c *Client) Customer(ctx context.Context, id int64) (Customer, error) {
	return getOne[Customer](ctx, c, idPath("customers/%d", id))
}

// CreateCustomer registers a customer; the email must be new.
func (c *Client) CreateCustomer(ctx context.Context, cu Customer) (Customer, error) {
	return create[Customer](ctx, c, "customers", cu)
}

// UpdateCustomer changes a customer.
func (c *Client) UpdateCustomer(ctx context.Context, id int64, u CustomerUpdate) (Customer, error) {
	return send[Customer](ctx, c, "PUT", idPath("customers/%d", id), u)
}

// DeleteCustomer deletes a customer (customers have no trash).
func (c *Client) DeleteCustomer(ctx context.Context, id int64) (Customer, error) {
	return remove[Customer](ctx, c, idPath("customers/%d", id), true)
}

// BatchCustomers creates, updates and deletes customers, 100 items a request.
func (c *Client) BatchCustomers(ctx context.Context, b Batch[Customer, CustomerUpdate]) (BatchResult[Customer], error) {
	return runBatch[Customer](ctx, c, "customers/batch", b)
}

// SystemStatus reads the store's environment and settings; the connection probe uses it.
func (c *Client) SystemStatus(ctx context.Context) (SystemStatus, error) {
	return getOne[SystemStatus](ctx, c, "system_status")
}
