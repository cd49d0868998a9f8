// Package erpnext is retailsync's client for ERPNext, over the Frappe REST API: token auth, resource
// CRUD and lists, whitelisted methods, the docstatus lifecycle (insert-and-submit, cancel, amend),
// and the operations the sync flows need in ERPNext's own terms (Customer, Item, Item Price, Bin,
// Sales Order, Delivery Note, Shipment, Sales Invoice, Payment Entry). Every request passes the
// connection's throttle; every failure comes back as a *failure.Error, Transient or Permanent, with
// the ERP's own message.
package erpnext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/throttle"
)

// System names ERPNext in failures, metrics and logs.
const System = "ERPNext"

const (
	defaultTimeout = 30 * time.Second
	maxBody        = 32 << 20
)

// Config is what a StoreConnection of system ERPNext resolves to.
type Config struct {
	URL       string // the site, e.g. https://erp.acme.example
	APIKey    string
	APISecret string
	Limits    throttle.Limits
	// Timeout bounds one request, body included; 30s when zero.
	Timeout    time.Duration
	HTTPClient *http.Client
	Log        logr.Logger
	// Now is the clock used to read HTTP-date Retry-After values; time.Now when nil.
	Now func() time.Time
}

// Client talks to one ERPNext site. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	auth     string
	http     *http.Client
	throttle *throttle.Throttle
	timeout  time.Duration
	log      logr.Logger
	now      func() time.Time
}

// New validates cfg and returns a Client. The error never contains the secret.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, failure.Permanentf(failure.ReasonValidation, "ERPNext URL %q must be an absolute http(s) URL", cfg.URL)
	}
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, failure.Permanentf(failure.ReasonUnauthorized, "ERPNext API key and secret are both required")
	}
	c := &Client{
		base:     u,
		auth:     "token " + cfg.APIKey + ":" + cfg.APISecret,
		http:     failure.WithoutRedirects(cfg.HTTPClient),
		throttle: throttle.New(cfg.Limits),
		timeout:  cfg.Timeout,
		log:      cfg.Log,
		now:      cfg.Now,
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// do sends one request and decodes the JSON answer into out (the whole envelope). It holds a
// throttle slot for the whole exchange, body included.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	release, err := c.throttle.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	target := c.base.String() + escapePath(path)
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return failure.Permanentf(failure.ReasonInternal, "encoding the %s %s request: %v", method, path, err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return failure.Permanentf(failure.ReasonInternal, "building the %s %s request: %v", method, path, err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return c.transportError(ctx, method, path, err)
	}
	c.log.V(1).Info("Called ERPNext", "method", method, "path", path, "status", resp.StatusCode, "duration", time.Since(start))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return failure.Redirected(System, method, path, resp)
	}
	if resp.StatusCode >= 300 {
		return decodeError(resp.StatusCode, resp.Header, raw, c.now())
	}
	if out == nil {
		return nil
	}
	// UseNumber: a generic map must never carry money as float64.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return &failure.Error{Kind: failure.Transient, Reason: failure.ReasonBadResponse, System: System, Status: resp.StatusCode,
			Message: fmt.Sprintf("%s %s answered what is not the expected JSON: %v", method, path, err)}
	}
	return nil
}

// transportError classifies a failure with no HTTP answer. When the caller's own context ended the
// error is returned as it is (Classify treats cancellation as no failure at all).
func (c *Client) transportError(ctx context.Context, method, path string, err error) error {
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return context.Canceled
	}
	fe := failure.Classify(err)
	if fe == nil {
		return err
	}
	return &failure.Error{Kind: fe.Kind, Reason: fe.Reason, System: System, Message: fmt.Sprintf("%s %s: %v", method, path, err), Err: err}
}

// escapePath escapes each segment of a path like /api/resource/Sales Order/SAL-ORD-2026-00001.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
