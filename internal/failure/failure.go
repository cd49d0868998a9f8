// Package failure types the errors that cross from adapters into the worker engine. The engine never
// guesses from error strings: an adapter says whether a failure is Transient (retry with backoff, and
// when the remote asked, not before RetryAfter) or Permanent (dead-letter at once with Reason), and
// which remote code and HTTP status it saw.
package failure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Kind says whether trying the same thing again can succeed.
type Kind int

const (
	// Transient failures (timeouts, connection errors, 5xx, 429) may succeed on a later attempt.
	Transient Kind = iota + 1
	// Permanent failures (validation, bad data, unmapped values, auth) fail the same way until a person
	// changes something; retrying only spends attempts.
	Permanent
)

func (k Kind) String() string {
	switch k {
	case Transient:
		return "Transient"
	case Permanent:
		return "Permanent"
	default:
		return "Unknown"
	}
}

// Reason is a CamelCase word that names the cause, used in dead letters, status and metrics labels.
// Keep the set small and stable: it is a label value.
type Reason string

const (
	ReasonTimeout          Reason = "Timeout"
	ReasonConnection       Reason = "ConnectionFailed"
	ReasonRateLimited      Reason = "RateLimited"
	ReasonUnavailable      Reason = "RemoteUnavailable" // 5xx
	ReasonUnauthorized     Reason = "Unauthorized"      // 401: credentials rejected
	ReasonForbidden        Reason = "Forbidden"         // 403: credentials lack a permission
	ReasonNotFound         Reason = "NotFound"
	ReasonConflict         Reason = "Conflict"
	ReasonValidation       Reason = "ValidationFailed" // the remote refused the data
	ReasonBadResponse      Reason = "BadResponse"      // the remote answered something we cannot read
	ReasonMalformedPayload Reason = "MalformedPayload" // input we received cannot be decoded
	ReasonUnmapped         Reason = "Unmapped"         // a value the MappingSet does not cover
	ReasonInternal         Reason = "Internal"
)

// Error is a classified failure. Message must never contain a credential.
type Error struct {
	Kind   Kind
	Reason Reason
	// System is the remote that failed ("WooCommerce", "ERPNext"), empty for local failures.
	System string
	// Code is the remote's own error code (woocommerce_rest_..., a Frappe exc_type), if any.
	Code string
	// Status is the HTTP status, 0 when there was no response.
	Status int
	// RetryAfter is how long the remote asked us to wait; zero when it did not say.
	RetryAfter time.Duration
	Message    string
	Err        error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	prefix := string(e.Reason)
	if e.System != "" {
		prefix = e.System + " " + prefix
	}
	switch {
	case e.Code != "" && e.Status != 0:
		return fmt.Sprintf("%s (HTTP %d, %s): %s", prefix, e.Status, e.Code, msg)
	case e.Status != 0:
		return fmt.Sprintf("%s (HTTP %d): %s", prefix, e.Status, msg)
	case e.Code != "":
		return fmt.Sprintf("%s (%s): %s", prefix, e.Code, msg)
	default:
		return prefix + ": " + msg
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Permanentf returns a Permanent error with the given reason.
func Permanentf(reason Reason, format string, args ...any) *Error {
	return &Error{Kind: Permanent, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Transientf returns a Transient error with the given reason.
func Transientf(reason Reason, format string, args ...any) *Error {
	return &Error{Kind: Transient, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Classify returns the classified form of err. Errors that were never classified are judged by their
// type: deadlines and network errors are Transient; anything else unknown is Transient too, so that a
// surprise costs retries (bounded by the flow's maxAttempts) rather than silently dead-lettering data.
// Context cancellation is not a failure of the remote and is returned as nil: the caller is shutting down.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Transient, Reason: ReasonTimeout, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return &Error{Kind: Transient, Reason: ReasonTimeout, Err: err}
		}
		return &Error{Kind: Transient, Reason: ReasonConnection, Err: err}
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return &Error{Kind: Transient, Reason: ReasonConnection, Err: err}
	}
	return &Error{Kind: Transient, Reason: ReasonInternal, Err: err}
}

// IsPermanent reports whether err is classified Permanent.
func IsPermanent(err error) bool {
	fe := Classify(err)
	return fe != nil && fe.Kind == Permanent
}

// RetryAfter returns the wait the remote asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var fe *Error
	if errors.As(err, &fe) && fe.RetryAfter > 0 {
		return fe.RetryAfter, true
	}
	return 0, false
}

// ReasonOf returns the reason of a classified error, or ReasonInternal.
func ReasonOf(err error) Reason {
	if fe := Classify(err); fe != nil {
		return fe.Reason
	}
	return ReasonInternal
}
