package sim

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// webhook is a stored webhook with WooCommerce's private delivery state.
type webhook struct {
	woocommerce.Webhook
	failureCount int
}

var (
	webhookResources = []string{"order", "product", "customer", "coupon"}
	webhookEvents    = []string{"created", "updated", "deleted", "restored"}
	webhookStatuses  = []string{woocommerce.WebhookActive, woocommerce.WebhookPaused, woocommerce.WebhookDisabled}
)

func validTopic(t string) bool {
	resource, event, ok := strings.Cut(t, ".")
	if !ok || event == "" {
		return false
	}
	return resource == "action" || (slices.Contains(webhookResources, resource) && slices.Contains(webhookEvents, event))
}

func validDeliveryURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func webhookMeta(w woocommerce.Webhook) listed {
	return listed{id: w.ID, created: w.DateCreatedGMT.Time, modified: w.DateModifiedGMT.Time, title: w.Name}
}

func (s *Sim) listWebhooks(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r)
	if e != nil {
		return 0, nil, e
	}
	statuses := statusFilter(lq.q, "status")
	s.mu.Lock()
	var items []woocommerce.Webhook
	for _, h := range s.webhooks {
		if statuses == nil || statuses[h.Status] {
			items = append(items, h.Webhook)
		}
	}
	s.mu.Unlock()
	return http.StatusOK, paginate(w, r, lq, items, webhookMeta), nil
}

func (s *Sim) getWebhook(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.webhooks[pathID(r, "id")]
	if !ok {
		return 0, nil, invalidID("shop_webhook", http.StatusNotFound)
	}
	return http.StatusOK, h.Webhook, nil
}

func (s *Sim) createWebhook(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in woocommerce.Webhook
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	h, e := s.addWebhook(r.Context(), in)
	return http.StatusCreated, h, e
}

// addWebhook stores a webhook and, when it is active, pings its delivery URL as WooCommerce does on
// the first save with status active.
func (s *Sim) addWebhook(ctx context.Context, in woocommerce.Webhook) (woocommerce.Webhook, *restError) {
	in.Topic = strings.ToLower(in.Topic)
	if !validTopic(in.Topic) {
		return woocommerce.Webhook{}, errf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
	}
	if !validDeliveryURL(in.DeliveryURL) {
		return woocommerce.Webhook{}, errf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_delivery_url",
			"Webhook delivery URL must be a valid URL starting with http:// or https://.")
	}
	if e := oneOf("status", strPtr(in.Status), webhookStatuses); in.Status != "" && e != nil {
		return woocommerce.Webhook{}, e
	}
	s.mu.Lock()
	h := &webhook{Webhook: in}
	h.ID = s.nextOther
	s.nextOther++
	if h.Status == "" {
		h.Status = woocommerce.WebhookActive
	}
	if h.Secret == "" {
		h.Secret = s.randomKey(50)
	}
	if h.Name == "" {
		h.Name = "Webhook created on " + s.now().Format("Jan 02, 2006 @ 03:04 PM")
	}
	h.APIVersion = "wp_api_v3"
	h.Resource, h.Event, _ = strings.Cut(h.Topic, ".")
	h.Hooks = []string{"woocommerce_" + h.Topic}
	h.DateCreated, h.DateCreatedGMT = s.stamp(s.now())
	h.DateModified, h.DateModifiedGMT = h.DateCreated, h.DateCreatedGMT
	s.webhooks[h.ID] = h
	out := h.Webhook
	s.mu.Unlock()
	if out.Status == woocommerce.WebhookActive {
		s.ping(ctx, out)
	}
	return out, nil
}

func strPtr(s string) *string { return &s }

func (s *Sim) updateWebhook(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in woocommerce.WebhookUpdate
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	if in.Topic != nil && !validTopic(*in.Topic) {
		return 0, nil, errf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
	}
	if in.DeliveryURL != nil && !validDeliveryURL(*in.DeliveryURL) {
		return 0, nil, errf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_delivery_url",
			"Webhook delivery URL must be a valid URL starting with http:// or https://.")
	}
	if e := oneOf("status", in.Status, webhookStatuses); e != nil {
		return 0, nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.webhooks[pathID(r, "id")]
	if !ok {
		return 0, nil, invalidID("shop_webhook", http.StatusBadRequest)
	}
	// Re-activating does not reset the failure count, as in WooCommerce: one more failed delivery
	// disables the webhook again until a delivery succeeds.
	for dst, v := range map[*string]*string{&h.Name: in.Name, &h.Status: in.Status, &h.DeliveryURL: in.DeliveryURL, &h.Secret: in.Secret} {
		if v != nil {
			*dst = *v
		}
	}
	if in.Topic != nil {
		h.Topic = *in.Topic
		h.Resource, h.Event, _ = strings.Cut(h.Topic, ".")
		h.Hooks = []string{"woocommerce_" + h.Topic}
	}
	h.DateModified, h.DateModifiedGMT = s.stamp(s.now())
	return http.StatusOK, h.Webhook, nil
}

func (s *Sim) deleteWebhook(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	if !forceDelete(r) {
		return 0, nil, errf(http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := pathID(r, "id")
	h, ok := s.webhooks[id]
	if !ok {
		return 0, nil, invalidID("shop_webhook", http.StatusNotFound)
	}
	delete(s.webhooks, id)
	s.pending = slices.DeleteFunc(s.pending, func(p pendingDelivery) bool { return p.webhookID == id })
	return http.StatusOK, h.Webhook, nil
}

// WebhookState is a webhook as the store sees it, with its private failure count.
type WebhookState struct {
	woocommerce.Webhook
	FailureCount int `json:"failure_count"`
}

// Webhooks returns every webhook with its failure count, for tests.
func (s *Sim) Webhooks() []WebhookState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookState, 0, len(s.webhooks))
	for _, h := range s.webhooks {
		out = append(out, WebhookState{Webhook: h.Webhook, FailureCount: h.failureCount})
	}
	slices.SortFunc(out, func(a, b WebhookState) int { return int(a.ID - b.ID) })
	return out
}
