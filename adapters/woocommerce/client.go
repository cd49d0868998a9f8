// Package woocommerce is the WooCommerce side of every flow: a wc/v3 REST client (HTTP Basic over
// https, OAuth 1.0a over http, paging, batch writes, typed failures), a webhook receiver, and webhook
// management. Package sim beside it simulates a store that behaves like the real one.
package woocommerce

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

// System names WooCommerce in classified failures.
const System = "WooCommerce"

// APIPath is where wc/v3 lives under the site URL.
const APIPath = "/wp-json/wc/v3"

// maxResponseBytes bounds what the client reads from one answer; a page of 100 orders is a few MB.
const maxResponseBytes = 64 << 20

// Credentials is a WooCommerce REST API key.
type Credentials struct {
	ConsumerKey    string
	ConsumerSecret string
}

// CredentialsSource hands out the current key. The client asks before every request, so a rotated
// Secret takes effect without a restart.
type CredentialsSource interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// StaticCredentials is a CredentialsSource that never changes.
type StaticCredentials Credentials

// Credentials returns the key.
func (s StaticCredentials) Credentials(context.Context) (Credentials, error) {
	return Credentials(s), nil
}

// AuthMethod selects how requests are authenticated.
type AuthMethod string

const (
	// AuthAuto is what WooCommerce expects: Basic over https, OAuth 1.0a over http.
	AuthAuto AuthMethod = ""
	// AuthBasic sends HTTP Basic; WooCommerce accepts it only over https.
	AuthBasic AuthMethod = "Basic"
	// AuthOAuth1 signs with OAuth 1.0a (HMAC-SHA256).
	AuthOAuth1 AuthMethod = "OAuth1"
	// AuthQuery sends consumer_key and consumer_secret as query parameters, https only: the
	// workaround for hosts whose PHP never sees the Authorization header.
	AuthQuery AuthMethod = "Query"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the site URL (https://shop.example); the API is under BaseURL + APIPath.
	BaseURL     string
	Credentials CredentialsSource
	Auth        AuthMethod
	Limits      throttle.Limits
	// Timeout bounds one request including reading its body; 0 means 30s.
	Timeout    time.Duration
	HTTPClient *http.Client
	Logger     logr.Logger
	// Now and Nonce fix OAuth's clock and nonce in tests; nil means the real ones.
	Now   func() time.Time
	Nonce func() string
}

// Client talks to one store. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	auth     AuthMethod
	creds    CredentialsSource
	throttle *throttle.Throttle
	timeout  time.Duration
	http     *http.Client
	log      logr.Logger
	oauth    oauthSigner
	now      func() time.Time
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("woocommerce: BaseURL must be an absolute http or https URL")
	}
	if cfg.Credentials == nil {
		return nil, errors.New("woocommerce: Credentials is required")
	}
	auth := cfg.Auth
	if auth == AuthAuto {
		auth = AuthOAuth1
		if u.Scheme == "https" {
			auth = AuthBasic
		}
	}
	switch {
	case auth != AuthBasic && auth != AuthOAuth1 && auth != AuthQuery:
		return nil, fmt.Errorf("woocommerce: unknown auth method %q", auth)
	case auth == AuthQuery && u.Scheme != "https":
		return nil, errors.New("woocommerce: query-string credentials are only allowed over https")
	}
	c := &Client{
		base:     u,
		auth:     auth,
		creds:    cfg.Credentials,
		throttle: throttle.New(cfg.Limits),
		timeout:  cfg.Timeout,
		log:      cfg.Logger,
		now:      cfg.Now,
		oauth:    oauthSigner{nonce: cfg.Nonce},
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	// Redirects are not followed: a redirected OAuth request no longer matches its signature either.
	c.http = failure.WithoutRedirects(cfg.HTTPClient)
	if c.now == nil {
		c.now = time.Now
	}
	c.oauth.now = c.now // one clock for request timing and OAuth timestamps
	if c.oauth.nonce == nil {
		c.oauth.nonce = randomNonce
	}
	return c, nil
}

// call is one API request: path is relative to APIPath, in (if not nil) is sent as JSON, and a 2xx
// answer is decoded into out (if not nil). It returns the answer's headers for paging.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any) (http.Header, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, failure.Permanentf(failure.ReasonInternal, "encode %s %s: %v", method, path, err)
		}
	}
	release, err := c.throttle.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	req, err := c.newRequest(ctx, method, path, query, body)
	if err != nil {
		return nil, err
	}
	start := c.now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, c.transportError(ctx, method, path, err)
	}
	c.log.V(1).Info("Called WooCommerce", "method", method, "path", path, "status", resp.StatusCode,
		"duration", c.now().Sub(start))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, failure.Redirected(System, method, path, resp)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(method, path, resp, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, &failure.Error{Kind: failure.Transient, Reason: failure.ReasonBadResponse, System: System,
				Status: resp.StatusCode, Message: fmt.Sprintf("%s %s: cannot decode answer: %v", method, path, err)}
		}
	}
	return resp.Header, nil
}

func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body []byte) (*http.Request, error) {
	creds, err := c.creds.Credentials(ctx)
	if err != nil {
		return nil, failure.Permanentf(failure.ReasonUnauthorized, "read WooCommerce credentials: %v", err)
	}
	u := *c.base
	u.Path = c.base.Path + APIPath + "/" + strings.TrimLeft(path, "/")
	switch c.auth {
	case AuthOAuth1:
		if query, err = c.oauth.sign(method, &u, query, creds); err != nil {
			return nil, failure.Permanentf(failure.ReasonInternal, "sign request: %v", err)
		}
	case AuthQuery:
		q := url.Values{}
		for k, vs := range query {
			q[k] = vs
		}
		q.Set("consumer_key", creds.ConsumerKey)
		q.Set("consumer_secret", creds.ConsumerSecret)
		query = q
	}
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, failure.Permanentf(failure.ReasonInternal, "build %s %s: %v", method, path, err)
	}
	if c.auth == AuthBasic {
		req.SetBasicAuth(creds.ConsumerKey, creds.ConsumerSecret)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}
