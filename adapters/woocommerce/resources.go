package woocommerce

import (
	"context"
	"fmt"
	"iter"
	"net/url"
)

// Generic verbs shared by every resource; the typed methods in products.go, orders.go, customers.go
// and webhooks.go name the routes.

func getOne[T any](ctx context.Context, c *Client, path string) (T, error) {
	var out T
	_, err := c.call(ctx, "GET", path, nil, nil, &out)
	return out, err
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

// Collect gathers a collection walk (Client.Orders, Client.Products ...) into a slice.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) { return collect(seq) }

func idPath(format string, ids ...int64) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return fmt.Sprintf(format, args...)
}
