package sim

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// userAgent is what WooCommerce's Hookshot sends.
const (
	wcVersion = "9.4.2"
	userAgent = "WooCommerce/" + wcVersion + " Hookshot (WordPress/6.7.1)"
)

// DeliveryOptions shape webhook delivery. WooCommerce queues a delivery in Action Scheduler and does
// not queue a second one for the same webhook and resource while one is pending; the payload is
// built when the queued action runs.
type DeliveryOptions struct {
	// Delay is how long a queued delivery waits before the background loop sends it (Action
	// Scheduler's lag); every event for the same resource meanwhile coalesces into it.
	Delay time.Duration `json:"delay"`
	// DuplicateRate is the chance a delivery is sent twice (same body, same delivery id).
	DuplicateRate float64 `json:"duplicateRate"`
	// DropRate is the chance a delivery is never sent.
	DropRate float64 `json:"dropRate"`
	// Reorder sends each round of due deliveries newest first.
	Reorder bool `json:"reorder"`
}

func (o DeliveryOptions) withDefaults() DeliveryOptions {
	o.DuplicateRate = min(max(o.DuplicateRate, 0), 1)
	o.DropRate = min(max(o.DropRate, 0), 1)
	return o
}

type pendingDelivery struct {
	webhookID  int64
	resourceID int64
	queuedAt   time.Time
}

// DeliveryRecord is one delivery attempt as the store saw it.
type DeliveryRecord struct {
	WebhookID  int64     `json:"webhook_id"`
	Topic      string    `json:"topic"` // "ping" for creation pings
	ResourceID int64     `json:"resource_id"`
	DeliveryID string    `json:"delivery_id"`
	Status     int       `json:"status"` // 0 when no answer came
	Error      string    `json:"error,omitempty"`
	Dropped    bool      `json:"dropped,omitempty"`
	Duplicate  bool      `json:"duplicate,omitempty"`
	At         time.Time `json:"at"`
}

// emit queues deliveries of resource.event for the active webhooks on that topic, unless one is
// already pending for the same webhook and resource. Called with s.mu held.
func (s *Sim) emit(resource, event string, id int64) {
	topic := resource + "." + event
	for _, h := range s.webhooks {
		if h.Status != woocommerce.WebhookActive || h.Topic != topic {
			continue
		}
		if slices.ContainsFunc(s.pending, func(p pendingDelivery) bool { return p.webhookID == h.ID && p.resourceID == id }) {
			continue
		}
		s.pending = append(s.pending, pendingDelivery{webhookID: h.ID, resourceID: id, queuedAt: s.now()})
	}
}

// SetDelivery replaces the delivery options while running.
func (s *Sim) SetDelivery(o DeliveryOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Delivery = o.withDefaults()
}

// Pending returns how many deliveries are queued.
func (s *Sim) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Deliveries returns every delivery attempt so far, oldest first.
func (s *Sim) Deliveries() []DeliveryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// DeliverPending sends every queued delivery now, whatever its delay, and returns how many were
// taken from the queue. Tests call it to make delivery deterministic.
func (s *Sim) DeliverPending(ctx context.Context) int {
	return s.deliver(ctx, func(pendingDelivery) bool { return true })
}

// RunDeliveries sends due deliveries every tick until ctx ends.
func (s *Sim) RunDeliveries(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			cutoff := s.now().Add(-s.cfg.Delivery.Delay)
			s.mu.Unlock()
			s.deliver(ctx, func(p pendingDelivery) bool { return !p.queuedAt.After(cutoff) })
		}
	}
}

// outgoing is a delivery ready to send, built under the lock.
type outgoing struct {
	record DeliveryRecord
	url    string
	header http.Header
	body   []byte
}

// deliver takes the due deliveries off the queue, builds each payload now (so it shows the resource
// as it is at send time), and sends them outside the lock.
func (s *Sim) deliver(ctx context.Context, due func(pendingDelivery) bool) int {
	s.mu.Lock()
	var batch []pendingDelivery
	s.pending = slices.DeleteFunc(s.pending, func(p pendingDelivery) bool {
		if due(p) {
			batch = append(batch, p)
			return true
		}
		return false
	})
	opts := s.cfg.Delivery
	if opts.Reorder {
		slices.Reverse(batch)
	}
	var out []outgoing
	for _, p := range batch {
		h, ok := s.webhooks[p.webhookID]
		if !ok || h.Status != woocommerce.WebhookActive {
			continue
		}
		rec := DeliveryRecord{WebhookID: h.ID, Topic: h.Topic, ResourceID: p.resourceID, At: s.now(),
			DeliveryID: fmt.Sprintf("%x", md5.Sum([]byte(strconv.FormatInt(h.ID, 10)+strconv.FormatInt(s.now().Unix(), 10))))}
		if s.hit(opts.DropRate) {
			rec.Dropped = true
			s.deliveries = append(s.deliveries, rec)
			continue
		}
		body, err := phpJSON(s.payload(h.Resource, h.Event, p.resourceID))
		if err != nil {
			continue
		}
		hdr := http.Header{}
		hdr.Set("Content-Type", "application/json")
		hdr.Set("User-Agent", userAgent)
		hdr.Set(woocommerce.HeaderSource, strings.TrimRight(s.cfg.SiteURL, "/")+"/")
		hdr.Set(woocommerce.HeaderTopic, h.Topic)
		hdr.Set(woocommerce.HeaderResource, h.Resource)
		hdr.Set(woocommerce.HeaderEvent, h.Event)
		hdr.Set(woocommerce.HeaderSignature, woocommerce.Sign(body, []byte(h.Secret)))
		hdr.Set(woocommerce.HeaderWebhookID, strconv.FormatInt(h.ID, 10))
		hdr.Set(woocommerce.HeaderDeliveryID, rec.DeliveryID)
		o := outgoing{record: rec, url: h.DeliveryURL, header: hdr, body: body}
		out = append(out, o)
		if s.hit(opts.DuplicateRate) {
			o.record.Duplicate = true
			out = append(out, o)
		}
	}
	s.mu.Unlock()
	for _, o := range out {
		status, err := s.post(ctx, o.url, o.header, o.body)
		s.recordResult(o.record, status, err)
	}
	return len(batch)
}

// payload is the webhook body: the REST resource as it is now, or {"id":N} for a deletion. Called
// with s.mu held.
func (s *Sim) payload(resource, event string, id int64) any {
	gone := map[string]int64{"id": id}
	if event == "deleted" {
		return gone
	}
	switch resource {
	case "order":
		if o, ok := s.orders[id]; ok {
			return o.Order
		}
	case "product":
		if p, ok := s.products[id]; ok {
			return *p
		}
		if v, ok := s.variations[id]; ok {
			return *v
		}
	case "customer":
		if c, ok := s.customers[id]; ok {
			return *c
		}
	}
	return gone
}

// recordResult applies WooCommerce's failure tracking: a 2xx, 301 or 302 answer resets the failure
// count; anything else increments it, and a failure that finds the count already above 5 disables
// the webhook (WC_Webhook::failed_delivery).
func (s *Sim) recordResult(rec DeliveryRecord, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Status = status
	if err != nil {
		rec.Error = err.Error()
	}
	s.deliveries = append(s.deliveries, rec)
	h, ok := s.webhooks[rec.WebhookID]
	if !ok {
		return
	}
	if err == nil && status >= 200 && status < 303 {
		h.failureCount = 0
		return
	}
	if h.failureCount > maxDeliveryFailures {
		h.Status = woocommerce.WebhookDisabled
		s.log.Info("Disabled webhook after repeated failed deliveries", "webhookID", h.ID, "failures", h.failureCount)
		return
	}
	h.failureCount++
}

// maxDeliveryFailures is woocommerce_max_webhook_delivery_failures' default.
const maxDeliveryFailures = 5

// ping is the unsigned form-encoded POST WooCommerce sends when a webhook is first saved active.
func (s *Sim) ping(ctx context.Context, h woocommerce.Webhook) {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	hdr.Set("User-Agent", userAgent)
	status, err := s.post(ctx, h.DeliveryURL, hdr, []byte("webhook_id="+strconv.FormatInt(h.ID, 10)))
	rec := DeliveryRecord{WebhookID: h.ID, Topic: "ping", Status: status, At: s.now()}
	if err != nil {
		rec.Error = err.Error()
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, rec)
	s.mu.Unlock()
}

func (s *Sim) post(ctx context.Context, url string, hdr http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = hdr
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// hit draws from the store's seeded random source. Called with s.mu held.
func (s *Sim) hit(rate float64) bool { return rate > 0 && s.rng.Float64() < rate }

// randomKey returns n random alphanumerics. Called with s.mu held.
func (s *Sim) randomKey(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
