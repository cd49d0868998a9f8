package woocommerce

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
)

// Webhook delivery headers.
const (
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderResource   = "X-WC-Webhook-Resource"
	HeaderEvent      = "X-WC-Webhook-Event"
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderWebhookID  = "X-WC-Webhook-ID"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// DefaultMaxWebhookBody bounds a delivery's body. An order with hundreds of lines is well under it.
const DefaultMaxWebhookBody = 4 << 20

// WebhookSecrets are the secrets a delivery may be signed with: the current one and, during a
// rotation's grace period, the previous one (nil when there is none).
type WebhookSecrets struct {
	Current  []byte
	Previous []byte
}

// SecretSource hands out the webhook secrets; it is asked on every delivery so rotation needs no
// restart.
type SecretSource interface {
	WebhookSecrets(ctx context.Context) (WebhookSecrets, error)
}

// SecretSourceFunc adapts a function to SecretSource.
type SecretSourceFunc func(ctx context.Context) (WebhookSecrets, error)

// WebhookSecrets calls f.
func (f SecretSourceFunc) WebhookSecrets(ctx context.Context) (WebhookSecrets, error) { return f(ctx) }

// DeliveryHandler takes a verified delivery, typically by enqueueing a durable job. An error makes
// the receiver answer 503, which WooCommerce counts as a failed delivery (it does not retry; the
// poll backstop picks the change up).
type DeliveryHandler interface {
	HandleDelivery(ctx context.Context, d Delivery) error
}

// DeliveryHandlerFunc adapts a function to DeliveryHandler.
type DeliveryHandlerFunc func(ctx context.Context, d Delivery) error

// HandleDelivery calls f.
func (f DeliveryHandlerFunc) HandleDelivery(ctx context.Context, d Delivery) error { return f(ctx, d) }

// DeliveryKey identifies a change for deduplication: the same resource at the same modification
// time is the same change however often it is delivered. Version is date_modified_gmt, or the
// event name for payloads that have none (deletions send only {"id":N}).
type DeliveryKey struct {
	Resource string
	ID       int64
	Version  string
}

func (k DeliveryKey) String() string { return fmt.Sprintf("%s/%d@%s", k.Resource, k.ID, k.Version) }

// Delivery is one verified webhook delivery. A webhook is a hint: the payload is the resource as it
// was when WooCommerce sent it, which may already be stale; read the current state before acting.
type Delivery struct {
	WebhookID  int64
	DeliveryID string // not unique per event
	Source     string
	Topic      string // order.updated
	Resource   string // order
	Event      string // updated
	ResourceID int64
	// DateModifiedGMT is the payload's date_modified_gmt; zero when absent (deletions).
	DateModifiedGMT time.Time
	Key             DeliveryKey
	// SignedWithPrevious is true when only the previous secret matched: the sender has not picked up
	// the rotation yet.
	SignedWithPrevious bool
	// Body is the raw payload exactly as received.
	Body []byte
}

// Receiver is the http.Handler WooCommerce delivers webhooks to.
type Receiver struct {
	secrets SecretSource
	handler DeliveryHandler
	maxBody int64
	log     logr.Logger
}

// NewReceiver returns a Receiver; maxBody <= 0 means DefaultMaxWebhookBody.
func NewReceiver(secrets SecretSource, handler DeliveryHandler, maxBody int64, log logr.Logger) *Receiver {
	if maxBody <= 0 {
		maxBody = DefaultMaxWebhookBody
	}
	return &Receiver{secrets: secrets, handler: handler, maxBody: maxBody, log: log}
}

// ServeHTTP verifies, parses and hands on one delivery. Nothing that fails verification or parsing
// reaches the handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rc.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			rc.reject(w, http.StatusRequestEntityTooLarge, "Rejected webhook: body too large", err)
			return
		}
		rc.reject(w, http.StatusBadRequest, "Rejected webhook: body unreadable", err)
		return
	}
	if IsPing(r.Header, body) {
		rc.log.Info("Answered webhook ping", "webhookID", strings.TrimPrefix(string(body), "webhook_id="))
		w.WriteHeader(http.StatusOK)
		return
	}
	secrets, err := rc.secrets.WebhookSecrets(r.Context())
	if err != nil {
		rc.reject(w, http.StatusServiceUnavailable, "Could not read webhook secrets", err)
		return
	}
	previous, ok := VerifySignature(body, r.Header.Get(HeaderSignature), secrets)
	if !ok {
		rc.reject(w, http.StatusUnauthorized, "Rejected webhook: bad signature", nil)
		return
	}
	d, err := ParseDelivery(r.Header, body)
	if err != nil {
		rc.reject(w, http.StatusBadRequest, "Rejected webhook: malformed delivery", err)
		return
	}
	d.SignedWithPrevious = previous
	if err := rc.handler.HandleDelivery(r.Context(), d); err != nil {
		rc.reject(w, http.StatusServiceUnavailable, "Could not accept webhook", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *Receiver) reject(w http.ResponseWriter, status int, msg string, err error) {
	rc.log.Info(msg, "status", status, "error", err)
	http.Error(w, http.StatusText(status), status)
}

// IsPing reports whether a request is WooCommerce's creation ping: a form-encoded "webhook_id=N"
// with no X-WC headers and no signature.
func IsPing(h http.Header, body []byte) bool {
	if h.Get(HeaderSignature) != "" || h.Get(HeaderTopic) != "" {
		return false
	}
	id, ok := strings.CutPrefix(string(body), "webhook_id=")
	if !ok {
		return false
	}
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

// Sign is WooCommerce's delivery signature: base64(HMAC-SHA256(body, secret)).
func Sign(body, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks the header against the raw body with the current and then the previous
// secret, comparing in constant time. It reports whether the previous secret was the one that matched.
func VerifySignature(body []byte, header string, s WebhookSecrets) (previous, ok bool) {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil || len(got) != sha256.Size {
		return false, false
	}
	for i, secret := range [][]byte{s.Current, s.Previous} {
		if len(secret) == 0 {
			continue
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if hmac.Equal(got, mac.Sum(nil)) {
			return i == 1, true
		}
	}
	return false, false
}

// ParseDelivery reads the topic headers and the payload's identity. It checks that the topic,
// resource and event headers agree and that the body is a JSON object naming a positive id
// (action.* topics carry no resource id).
func ParseDelivery(h http.Header, body []byte) (Delivery, error) {
	d := Delivery{
		DeliveryID: h.Get(HeaderDeliveryID),
		Source:     h.Get(HeaderSource),
		Topic:      h.Get(HeaderTopic),
		Body:       body,
	}
	resource, event, ok := strings.Cut(d.Topic, ".")
	if !ok || resource == "" || event == "" {
		return Delivery{}, fmt.Errorf("topic %q is not resource.event", d.Topic)
	}
	d.Resource, d.Event = resource, event
	if v := h.Get(HeaderResource); v != "" && v != resource {
		return Delivery{}, fmt.Errorf("resource header %q does not match topic %q", v, d.Topic)
	}
	if v := h.Get(HeaderEvent); v != "" && resource != "action" && v != event {
		return Delivery{}, fmt.Errorf("event header %q does not match topic %q", v, d.Topic)
	}
	if v := h.Get(HeaderWebhookID); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return Delivery{}, fmt.Errorf("webhook id %q is not a positive integer", v)
		}
		d.WebhookID = id
	}
	var payload struct {
		ID              *json.Number `json:"id"`
		DateModifiedGMT *string      `json:"date_modified_gmt"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		return Delivery{}, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	if resource == "action" {
		d.Key = DeliveryKey{Resource: resource, Version: d.Event}
		return d, nil
	}
	if payload.ID == nil {
		return Delivery{}, errors.New("payload has no id")
	}
	id, err := strconv.ParseInt(payload.ID.String(), 10, 64)
	if err != nil || id <= 0 {
		return Delivery{}, fmt.Errorf("payload id %q is not a positive integer", payload.ID.String())
	}
	d.ResourceID = id
	version := event
	if payload.DateModifiedGMT != nil && *payload.DateModifiedGMT != "" {
		t, err := ParseDate(*payload.DateModifiedGMT)
		if err != nil {
			return Delivery{}, fmt.Errorf("payload date_modified_gmt: %w", err)
		}
		d.DateModifiedGMT = t
		version = t.Format(dateLayout)
	}
	d.Key = DeliveryKey{Resource: resource, ID: id, Version: version}
	return d, nil
}
