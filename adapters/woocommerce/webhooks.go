package woocommerce

import (
	"context"
	"iter"
)

// Webhooks walks the store's webhooks.
func (c *Client) Webhooks(ctx context.Context, opts ListOptions) iter.Seq2[Webhook, error] {
	return list[Webhook](ctx, c, "webhooks", opts)
}

// Webhook reads one webhook.
func (c *Client) Webhook(ctx context.Context, id int64) (Webhook, error) {
	return getOne[Webhook](ctx, c, idPath("webhooks/%d", id))
}

// CreateWebhook registers a webhook. WooCommerce pings delivery_url (unsigned) on creation, so the
// receiver must be up first.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if w.APIVersion == "" {
		w.APIVersion = "wp_api_v3"
	}
	return create[Webhook](ctx, c, "webhooks", w)
}

// UpdateWebhook changes a webhook: rotate its secret, pause it, re-activate it.
func (c *Client) UpdateWebhook(ctx context.Context, id int64, u WebhookUpdate) (Webhook, error) {
	return send[Webhook](ctx, c, "PUT", idPath("webhooks/%d", id), u)
}

// DeleteWebhook deletes a webhook (webhooks have no trash).
func (c *Client) DeleteWebhook(ctx context.Context, id int64) (Webhook, error) {
	return remove[Webhook](ctx, c, idPath("webhooks/%d", id), true)
}

// ReactivateWebhook sets a webhook active again if WooCommerce disabled it after repeated failed
// deliveries; it stays disabled otherwise forever. A paused webhook was paused by a person and is
// left alone. It reports whether it changed anything. WooCommerce keeps the failure count when a
// webhook is re-activated, so the very next failed delivery disables it again: make sure the
// receiver is healthy first.
func (c *Client) ReactivateWebhook(ctx context.Context, id int64) (Webhook, bool, error) {
	w, err := c.Webhook(ctx, id)
	if err != nil || w.Status != WebhookDisabled {
		return w, false, err
	}
	active := WebhookActive
	w, err = c.UpdateWebhook(ctx, id, WebhookUpdate{Status: &active})
	return w, err == nil, err
}
