package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
)

// payload is what a change carries: only the order id. The handler reads the order itself, so a
// stale or partial webhook body can never be written to the ERP.
type payload struct {
	OrderID int64 `json:"order_id"`
}

// change builds the engine change for an order at a modification time and status.
func change(orderID int64, modifiedGMT time.Time, status string) (engine.Change, error) {
	if orderID <= 0 {
		return engine.Change{}, fmt.Errorf("order id %d is not positive", orderID)
	}
	if modifiedGMT.IsZero() {
		return engine.Change{}, fmt.Errorf("order %d has no date_modified_gmt", orderID)
	}
	body, err := json.Marshal(payload{OrderID: orderID})
	if err != nil {
		return engine.Change{}, err
	}
	return engine.Change{
		Kind:            Kind,
		Resource:        Resource(orderID),
		Version:         Version(modifiedGMT, status),
		SourceChangedAt: modifiedGMT.UTC(),
		Payload:         body,
	}, nil
}

// HandleDelivery takes a verified webhook delivery (it implements woocommerce.DeliveryHandler).
// order.created, order.updated and order.deleted become a durable change with a new correlation id;
// other topics are acknowledged and ignored. An error makes the receiver answer 503; WooCommerce
// does not retry, so the poll catches up.
func (f *Flow) HandleDelivery(ctx context.Context, d woocommerce.Delivery) error {
	if d.Resource != "order" {
		return nil
	}
	var c engine.Change
	var err error
	switch d.Event {
	case "created", "updated":
		var body struct {
			Status string `json:"status"`
		}
		if err = json.Unmarshal(d.Body, &body); err == nil {
			c, err = change(d.ResourceID, d.DateModifiedGMT, body.Status)
		}
	case "deleted":
		c, err = f.deletion(ctx, d.ResourceID)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("orders: webhook %s: %w", d.Key, err)
	}
	c.CorrelationID = engine.NewCorrelationID()
	enq, err := f.deps.Engine.Enqueue(ctx, c)
	if err != nil {
		return fmt.Errorf("orders: enqueue webhook %s: %w", d.Key, err)
	}
	f.deps.Log.V(1).Info("Took in an order webhook", "order", d.ResourceID, "topic", d.Topic,
		"version", c.Version, "queued", enq.Count() > 0, "correlationId", c.CorrelationID)
	return nil
}

// deletion versions an order.deleted delivery, which carries only the id. Trashing an order stamps
// date_modified_gmt, so the order is read for its version (the poll does not list trashed orders:
// this webhook is how a trashed order cancels its Sales Order). An order deleted for good has no
// version left; the worker's clock stands in, and the handler's NotFound brings it to a person.
func (f *Flow) deletion(ctx context.Context, id int64) (engine.Change, error) {
	wc := f.deps.Store()
	if wc == nil {
		return engine.Change{}, failure.Transientf(failure.ReasonUnavailable, "the WooCommerce connection is not ready")
	}
	o, err := wc.Order(ctx, id)
	if failure.ReasonOf(err) == failure.ReasonNotFound {
		return change(id, time.Now(), woocommerce.StatusTrash)
	}
	if err != nil {
		return engine.Change{}, err
	}
	return change(o.ID, o.DateModifiedGMT.Time, o.Status)
}
