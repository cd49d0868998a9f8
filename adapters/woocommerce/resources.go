package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/retailsync/retailsync/internal/failure"
)

// Generic verbs shared by every resource; the typed methods in products.go, orders.go, customers.go
// and webhooks.go name the routes.

func getOne[T any](ctx context.Context, c *Client, path string) (T, error) {
	var out T
	_, err := c.call(ctx, "GET", path, nil, nil, &out)
	return out, err
}

// create POSTs a new resource built in Go. Its unset fields are left out (see createBody).
func create[T any](ctx context.Context, c *Client, path string, in any) (T, error) {
	body, err := createBody(in)
	if err != nil {
		var zero T
		return zero, failure.Permanentf(failure.ReasonInternal, "encode POST %s: %v", path, err)
	}
	return send[T](ctx, c, "POST", path, body)
}

// createBody is what a create sends: the resource with every null and every empty string left
// out, at any depth. In a Go struct they mean "not given"; sent as they are, WooCommerce validates a
// null against the field's type and refuses the request, and reads "" in a line item's total as an
// amount of 0: a free line. Updates use patch types instead, where "" deliberately clears a field.
func createBody(in any) (json.RawMessage, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // line_items[].price and ids stay exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(dropUnset(v))
}

func dropUnset(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil || e == "" {
				delete(t, k)
				continue
			}
			t[k] = dropUnset(e)
		}
	case []any:
		for i, e := range t {
			t[i] = dropUnset(e)
		}
	}
	return v
}

func send[T any](ctx context.Context, c *Client, method, path string, in any) (T, error) {
	var out T
	_, err := c.call(ctx, method, path, nil, in, &out)
	return out, err
}

// remove deletes a resource. force=true deletes for good; without it products and orders go to
// the trash, and resources that have no trash (webhooks, customers) are refused with 501.
func remove[T any](ctx context.Context, c *Client, path string, force bool) (T, error) {
	var out T
	q := url.Values{}
	if force {
		q.Set("force", "true")
	}
	_, err := c.call(ctx, "DELETE", path, q, nil, &out)
	return out, err
}

func idPath(format string, ids ...int64) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return fmt.Sprintf(format, args...)
}
