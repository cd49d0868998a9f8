package erpnext

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
)

// Frappe exception classes (exc_type) the client acts on.
const (
	ExcDuplicateEntry    = "DuplicateEntryError"   // 409: a name or unique value already exists
	ExcUniqueValidation  = "UniqueValidationError" // 417: what Frappe raises for a unique custom field
	ExcDoesNotExist      = "DoesNotExistError"     // 404
	ExcTimestampMismatch = "TimestampMismatchError"
)

// frappeErrorBody is what frappe.utils.response.report_error writes: the exception text, its class,
// and _server_messages, a JSON string holding a list of JSON strings, each a message object.
type frappeErrorBody struct {
	ExcType        string          `json:"exc_type"`
	Exception      string          `json:"exception"`
	ServerMessages string          `json:"_server_messages"`
	Message        json.RawMessage `json:"message"`
}

// decodeError turns an error answer into a classified failure carrying the ERP's own words.
func decodeError(status int, header http.Header, body []byte, now time.Time) *failure.Error {
	var b frappeErrorBody
	code, message := "", ""
	if json.Unmarshal(body, &b) == nil {
		code = b.ExcType
		message = strings.Join(serverMessages(b.ServerMessages), "; ")
		if message == "" {
			message = exceptionText(b.Exception)
		}
		if message == "" {
			var s string
			if json.Unmarshal(b.Message, &s) == nil {
				message = s
			}
		}
	}
	if message == "" {
		message = plainText(body)
	}
	if message == "" {
		message = http.StatusText(status)
	}
	fe := failure.FromHTTP(System, status, header, code, message, now)
	if status == http.StatusTooManyRequests && fe.RetryAfter == 0 {
		// frappe/rate_limiter.py sends X-RateLimit-Reset, the seconds left in the window.
		if secs, err := strconv.Atoi(strings.TrimSpace(header.Get("X-RateLimit-Reset"))); err == nil && secs > 0 {
			fe.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return fe
}

// serverMessages decodes _server_messages twice: the outer JSON string is a list of JSON strings,
// each either a {"message": ...} object or a bare string. Markup is removed.
func serverMessages(raw string) []string {
	if raw == "" {
		return nil
	}
	var encoded []string
	if err := json.Unmarshal([]byte(raw), &encoded); err != nil {
		return []string{stripMarkup(raw)}
	}
	var out []string
	for _, e := range encoded {
		var m struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(e), &m); err == nil && m.Message != "" {
			out = append(out, stripMarkup(m.Message))
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(e), &s); err == nil {
			e = s
		}
		out = append(out, stripMarkup(e))
	}
	return out
}

// exceptionText drops the class path from "frappe.exceptions.ValidationError: message".
func exceptionText(exc string) string {
	exc = strings.TrimSpace(exc)
	if i := strings.Index(exc, ": "); i >= 0 && !strings.Contains(exc[:i], " ") {
		exc = exc[i+2:]
	}
	return stripMarkup(exc)
}

var markup = regexp.MustCompile(`<[^>]*>`)

// stripMarkup turns an HTML fragment into one line of text.
func stripMarkup(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(markup.ReplaceAllString(s, " "))), " ")
}

// plainText keeps a short excerpt of a non-JSON body (a proxy's error page, the rate limiter's text).
func plainText(body []byte) string {
	s := stripMarkup(string(body))
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

// IsDuplicate reports whether err says the document (or its unique value) already exists: 409
// DuplicateEntryError, or the 417 UniqueValidationError Frappe raises for a unique custom field.
func IsDuplicate(err error) bool {
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.System != System {
		return false
	}
	return fe.Status == http.StatusConflict || fe.Code == ExcDuplicateEntry || fe.Code == ExcUniqueValidation
}

// IsNotFound reports whether err is a 404 from the ERP.
func IsNotFound(err error) bool {
	var fe *failure.Error
	return errors.As(err, &fe) && fe.System == System && fe.Status == http.StatusNotFound
}
