package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/retailsync/retailsync/internal/simkit"
)

// frappeError is an exception as Frappe raises it: an HTTP status chosen by the exception class
// (frappe/exceptions.py http_status_code) and the class name the client sees as exc_type.
type frappeError struct {
	status  int
	excType string
	message string
}

func (e *frappeError) Error() string { return e.excType + ": " + e.message }

func newError(status int, excType, format string, args ...any) *frappeError {
	return &frappeError{status: status, excType: excType, message: fmt.Sprintf(format, args...)}
}

// validation raises a member of Frappe's ValidationError family, all answered 417.
func validation(excType, format string, args ...any) *frappeError {
	return newError(http.StatusExpectationFailed, excType, format, args...)
}

func notFound(doctype, name string) *frappeError {
	return newError(http.StatusNotFound, "DoesNotExistError", "%s %s not found", doctype, name)
}

func mandatory(doctype, label string) *frappeError {
	return validation("MandatoryError", "Error: Value missing for %s: %s", doctype, label)
}

func linkMissing(doctype, name string) *frappeError {
	return validation("LinkValidationError", "Could not find %s: %s", doctype, name)
}

// writeFrappeError answers like frappe.utils.response.report_error does for an API request: the
// exception text, its class as exc_type, and _server_messages, a JSON string that holds a list of
// JSON strings, each a message dict. Clients must decode it twice; the simulator makes them.
func writeFrappeError(w http.ResponseWriter, e *frappeError) {
	msg, _ := json.Marshal(map[string]any{
		"message":         e.message,
		"title":           "Message",
		"indicator":       "red",
		"raise_exception": 1,
	})
	serverMessages, _ := json.Marshal([]string{string(msg)})
	simkit.WriteJSON(w, e.status, map[string]any{
		"exception":        "frappe.exceptions." + e.excType + ": " + e.message,
		"exc_type":         e.excType,
		"_server_messages": string(serverMessages),
	})
}

// writeInjectedError is the simkit ErrorWriter. A 429 is answered as frappe/rate_limiter.py does:
// a plain-text body with the window headers (the site-wide limiter runs before any JSON handling).
// A 503 is maintenance mode (SessionStopped); a 500 is an unhandled exception.
func writeInjectedError(w http.ResponseWriter, status int, message string) {
	switch status {
	case http.StatusTooManyRequests:
		reset := w.Header().Get("Retry-After")
		if reset == "" {
			reset = "1"
		}
		w.Header().Set("X-RateLimit-Reset", reset)
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(60*1000000))
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("Too Many Requests"))
	case http.StatusServiceUnavailable:
		writeFrappeError(w, newError(status, "SessionStopped", "%s", message))
	default:
		writeFrappeError(w, newError(status, "Exception", "%s", message))
	}
}
