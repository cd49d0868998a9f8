package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
)

// apiError classifies a non-2xx answer, carrying WooCommerce's own code. The message names the
// route, never the URL: under OAuth the query holds the consumer key and signature.
func (c *Client) apiError(method, path string, resp *http.Response, raw []byte) error {
	var body APIError
	message := http.StatusText(resp.StatusCode)
	if json.Unmarshal(raw, &body) == nil && body.Code != "" {
		message = body.Message
	} else {
		body = APIError{}
	}
	return errorFromBody(resp.StatusCode, resp.Header, body, fmt.Sprintf("%s %s: %s", method, path, message), c.now())
}

// errorFromBody classifies a WooCommerce error body, whole-request or per batch item.
func errorFromBody(status int, header http.Header, body APIError, message string, now time.Time) error {
	e := failure.FromHTTP(System, status, header, body.Code, message, now)
	if status == http.StatusInternalServerError && refusedAt500(body) {
		e.Kind, e.Reason, e.RetryAfter = failure.Permanent, failure.ReasonValidation, 0
	}
	if body.Data.ResourceID != 0 {
		return &ResourceError{Err: e, ResourceID: body.Data.ResourceID}
	}
	return e
}

// ResourceError is a failure that names an existing resource: a duplicate SKU (product_invalid_sku)
// carries the id of the product that already has it, so a caller can adopt it instead of failing.
type ResourceError struct {
	Err        *failure.Error
	ResourceID int64
}

func (e *ResourceError) Error() string {
	return fmt.Sprintf("%v (existing resource %d)", e.Err, e.ResourceID)
}
func (e *ResourceError) Unwrap() error { return e.Err }

// ExistingResourceID returns the id WooCommerce named in a duplicate error, if any.
func ExistingResourceID(err error) (int64, bool) {
	var re *ResourceError
	if errors.As(err, &re) {
		return re.ResourceID, true
	}
	return 0, false
}

// Code returns the WooCommerce error code carried by err, or "".
func Code(err error) string {
	var fe *failure.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

// transportError classifies a failure to get an answer at all. net/http wraps it in *url.Error whose
// text holds the full URL (with OAuth credentials in the query), so it is replaced by the route.
// A cancelled caller gets its context error back unclassified.
func (c *Client) transportError(ctx context.Context, method, path string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	fe := failure.Classify(err)
	if fe == nil {
		return context.Canceled
	}
	return &failure.Error{Kind: fe.Kind, Reason: fe.Reason, System: System,
		Message: fmt.Sprintf("%s %s: %v", method, path, err), Err: err}
}

// refusedAt500 recognises WooCommerce's validation refusals that are answered with HTTP 500: a
// refund larger than what remains refundable comes back as 500 woocommerce_rest_cannot_create_order_refund
// "Invalid refund amount.", which no retry can fix. Its "please try again" variant stays transient.
func refusedAt500(body APIError) bool {
	return body.Code == "woocommerce_rest_cannot_create_order_refund" &&
		!strings.Contains(strings.ToLower(body.Message), "try again")
}
