package woocommerce

import (
	"context"
	"iter"
)

// OrderUpdate changes the named fields of an order; nil fields are not sent.
type OrderUpdate struct {
	ID            int64      `json:"id,omitempty"`
	Status        *string    `json:"status,omitempty"`
	TransactionID *string    `json:"transaction_id,omitempty"`
	CustomerNote  *string    `json:"customer_note,omitempty"`
	SetPaid       *bool      `json:"set_paid,omitempty"`
	MetaData      []MetaData `json:"meta_data,omitempty"`
}

// Orders walks orders. Poll with ModifiedAfter set to the last seen date_modified_gmt and
// OrderBy "modified", Order "asc": with the default (newest first) an order modified during the walk
// shifts the pages under it.
func (c *Client) Orders(ctx context.Context, opts ListOptions) iter.Seq2[Order, error] {
	return list[Order](ctx, c, "orders", opts)
}

// Order reads one order.
func (c *Client) Order(ctx context.Context, id int64) (Order, error) {
	return getOne[Order](ctx, c, idPath("orders/%d", id))
}

// CreateOrder creates an order.
func (c *Client) CreateOrder(ctx context.Context, o Order) (Order, error) {
	return create[Order](ctx, c, "orders", o)
}

// UpdateOrder changes an order.
func (c *Client) UpdateOrder(ctx context.Context, id int64, u OrderUpdate) (Order, error) {
	return send[Order](ctx, c, "PUT", idPath("orders/%d", id), u)
}

// DeleteOrder trashes an order, or deletes it for good with force.
func (c *Client) DeleteOrder(ctx context.Context, id int64, force bool) (Order, error) {
	return remove[Order](ctx, c, idPath("orders/%d", id), force)
}

// BatchOrders creates, updates and deletes orders, 100 items a request.
func (c *Client) BatchOrders(ctx context.Context, b Batch[Order, OrderUpdate]) (BatchResult[Order], error) {
	return runBatch[Order](ctx, c, "orders/batch", b)
}

// Refunds walks an order's refunds.
func (c *Client) Refunds(ctx context.Context, orderID int64, opts ListOptions) iter.Seq2[Refund, error] {
	return list[Refund](ctx, c, idPath("orders/%d/refunds", orderID), opts)
}

// Refund reads one refund.
func (c *Client) Refund(ctx context.Context, orderID, id int64) (Refund, error) {
	return getOne[Refund](ctx, c, idPath("orders/%d/refunds/%d", orderID, id))
}

// CreateRefund refunds part or all of an order. Set APIRefund deliberately: WooCommerce's default
// (true) asks the payment gateway to pay the money back.
func (c *Client) CreateRefund(ctx context.Context, orderID int64, r RefundRequest) (Refund, error) {
	return create[Refund](ctx, c, idPath("orders/%d/refunds", orderID), r)
}

// OrderNotes lists an order's notes (the route is not paged).
func (c *Client) OrderNotes(ctx context.Context, orderID int64) ([]OrderNote, error) {
	return getOne[[]OrderNote](ctx, c, idPath("orders/%d/notes", orderID))
}

// AddOrderNote adds a note; customerNote true emails it to the customer.
func (c *Client) AddOrderNote(ctx context.Context, orderID int64, note string, customerNote bool) (OrderNote, error) {
	return create[OrderNote](ctx, c, idPath("orders/%d/notes", orderID),
		OrderNote{Note: note, CustomerNote: customerNote})
}
