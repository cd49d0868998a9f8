package sim

import (
	"fmt"
	"net/http"
)

// restError is a WordPress REST error: {"code","message","data":{"status",...}}.
type restError struct {
	Status  int
	Code    string
	Message string
	Data    map[string]any
}

func (e *restError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// restErrorBody keeps WordPress's field order: code, message, data.
type restErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

func (e *restError) body() restErrorBody {
	data := map[string]any{"status": e.Status}
	for k, v := range e.Data {
		data[k] = v
	}
	return restErrorBody{Code: e.Code, Message: e.Message, Data: data}
}

func errf(status int, code, format string, args ...any) *restError {
	return &restError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is WordPress's argument validation failure.
func invalidParam(param, reason string) *restError {
	return &restError{Status: http.StatusBadRequest, Code: "rest_invalid_param",
		Message: "Invalid parameter(s): " + param, Data: map[string]any{"params": map[string]string{param: reason}}}
}

func missingParam(param string) *restError {
	return &restError{Status: http.StatusBadRequest, Code: "rest_missing_callback_param",
		Message: "Missing parameter(s): " + param, Data: map[string]any{"params": []string{param}}}
}

// invalidID is the not-found answer: 404 on read and delete, 400 on update (WooCommerce's quirk).
func invalidID(kind string, status int) *restError {
	return errf(status, "woocommerce_rest_"+kind+"_invalid_id", "Invalid ID.")
}

// writeJSON writes a body the way WordPress does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := phpJSON(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal_server_error","message":"encoding failed","data":{"status":500}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *restError) { writeJSON(w, e.Status, e.body()) }

// writeFault is simkit's ErrorWriter in WordPress's dialect.
func writeFault(w http.ResponseWriter, status int, message string) {
	code := "internal_server_error"
	if status == http.StatusTooManyRequests {
		code = "too_many_requests"
	} else if status == http.StatusServiceUnavailable {
		code = "service_unavailable"
	}
	writeError(w, errf(status, code, "%s", message))
}
