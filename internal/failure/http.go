package failure

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FromHTTP classifies an error answer from a remote HTTP API. code and message are what the remote's
// own error body said (WooCommerce's "code", Frappe's exc_type); the adapter decodes those, this
// function only decides what they mean for retrying.
func FromHTTP(system string, status int, header http.Header, code, message string, now time.Time) *Error {
	e := &Error{System: system, Status: status, Code: code, Message: message}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind, e.Reason = Transient, ReasonRateLimited
	case status == http.StatusRequestTimeout:
		e.Kind, e.Reason = Transient, ReasonTimeout
	case status >= 500:
		e.Kind, e.Reason = Transient, ReasonUnavailable
	case status == http.StatusUnauthorized:
		e.Kind, e.Reason = Permanent, ReasonUnauthorized
	case status == http.StatusForbidden:
		e.Kind, e.Reason = Permanent, ReasonForbidden
	case status == http.StatusNotFound:
		e.Kind, e.Reason = Permanent, ReasonNotFound
	case status == http.StatusConflict:
		e.Kind, e.Reason = Permanent, ReasonConflict
	case status >= 400:
		e.Kind, e.Reason = Permanent, ReasonValidation
	default:
		e.Kind, e.Reason = Transient, ReasonBadResponse
	}
	if e.Kind == Transient && header != nil {
		e.RetryAfter = ParseRetryAfter(header.Get("Retry-After"), now)
	}
	return e
}

// ParseRetryAfter reads a Retry-After value in either form RFC 9110 allows (delay-seconds or an
// HTTP-date). It returns 0 when the value is absent, malformed or in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// WithoutRedirects returns a copy of hc (a new client when nil) that does not follow redirects. A
// followed redirect turns a POST, PUT or DELETE into a GET without a body (an update that silently
// did nothing), keeps the Authorization header across schemes, and breaks request signatures; a
// remote that moved should be reconfigured, not chased. Redirected reports the answer.
func WithoutRedirects(hc *http.Client) *http.Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Redirected reports a redirect answer as a configuration error. The target is named without its
// query, which may repeat credentials (OAuth parameters).
func Redirected(system, method, path string, resp *http.Response) *Error {
	target := "elsewhere"
	if loc, err := resp.Location(); err == nil {
		target = loc.Scheme + "://" + loc.Host + loc.Path
	}
	return &Error{Kind: Permanent, Reason: ReasonBadResponse, System: system, Status: resp.StatusCode,
		Message: fmt.Sprintf("%s %s: %s redirected to %s; configure that URL instead", method, path, system, target)}
}
