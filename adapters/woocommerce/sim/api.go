package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// apiFunc handles one authorized wc/v3 request. It returns the status and body of a success, or a
// REST error.
type apiFunc func(w http.ResponseWriter, r *http.Request) (int, any, *restError)

const apiPrefix = woocommerce.APIPath + "/"

// maxRequestBody bounds a request body; PHP's post_max_size plays this part on a real host.
const maxRequestBody = 8 << 20

func (s *Sim) registerAPI(mux *http.ServeMux) {
	handle := func(methods, path string, fn apiFunc) {
		for _, m := range strings.Split(methods, ",") {
			mux.Handle(m+" "+apiPrefix+path, s.authorized(fn))
		}
	}
	const update = "PUT,PATCH,POST"
	handle("GET", "products", s.listProducts)
	handle("POST", "products", s.createProduct)
	handle("POST", "products/batch", s.batchProducts)
	handle("GET", "products/{id}", s.getProduct)
	handle(update, "products/{id}", s.updateProduct)
	handle("DELETE", "products/{id}", s.deleteProduct)
	handle("GET", "products/{id}/variations", s.listVariations)
	handle("POST", "products/{id}/variations", s.createVariation)
	handle("POST", "products/{id}/variations/batch", s.batchVariations)
	handle("GET", "products/{id}/variations/{vid}", s.getVariation)
	handle(update, "products/{id}/variations/{vid}", s.updateVariation)
	handle("DELETE", "products/{id}/variations/{vid}", s.deleteVariation)
	handle("GET", "orders", s.listOrders)
	handle("POST", "orders", s.createOrder)
	handle("POST", "orders/batch", s.batchOrders)
	handle("GET", "orders/{id}", s.getOrder)
	handle(update, "orders/{id}", s.updateOrder)
	handle("DELETE", "orders/{id}", s.deleteOrder)
	handle("GET", "orders/{id}/refunds", s.listRefunds)
	handle("POST", "orders/{id}/refunds", s.createRefund)
	handle("GET", "orders/{id}/refunds/{rid}", s.getRefund)
	handle("GET", "orders/{id}/notes", s.listNotes)
	handle("POST", "orders/{id}/notes", s.createNote)
	handle("GET", "customers", s.listCustomers)
	handle("POST", "customers", s.createCustomer)
	handle("POST", "customers/batch", s.batchCustomers)
	handle("GET", "customers/{id}", s.getCustomer)
	handle(update, "customers/{id}", s.updateCustomer)
	handle("DELETE", "customers/{id}", s.deleteCustomer)
	handle("GET", "webhooks", s.listWebhooks)
	handle("POST", "webhooks", s.createWebhook)
	handle("GET", "webhooks/{id}", s.getWebhook)
	handle(update, "webhooks/{id}", s.updateWebhook)
	handle("DELETE", "webhooks/{id}", s.deleteWebhook)
	handle("GET", "system_status", s.systemStatus)
	mux.HandleFunc("/", s.noRoute)
}

// authorized runs WooCommerce's authentication before the route, then writes the answer.
func (s *Sim) authorized(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		a := s.authenticate(r)
		if e := authorize(a, r.Method); e != nil {
			if a.err != nil && a.err.Message == "Consumer secret is invalid." {
				w.Header().Set("WWW-Authenticate", `Basic realm="WooCommerce"`)
			}
			writeError(w, e)
			return
		}
		status, body, e := fn(w, r)
		if e != nil {
			writeError(w, e)
			return
		}
		writeJSON(w, status, body)
	})
}

// noRoute answers paths wc/v3 does not serve. A request whose credentials are wrong is refused
// first, as WordPress runs authentication before dispatch.
func (s *Sim) noRoute(w http.ResponseWriter, r *http.Request) {
	if a := s.authenticate(r); a.err != nil {
		writeError(w, a.err)
		return
	}
	writeError(w, errf(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method."))
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) *restError {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return errf(http.StatusRequestEntityTooLarge, "rest_request_too_large", "The request body is too large.")
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) != nil {
		return errf(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
	}
	for name, typ := range typedFields {
		if raw, ok := fields[name]; ok && string(raw) == "null" {
			return invalidParam(name, name+" is not of type "+typ+".")
		}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return invalidParam("body", err.Error())
	}
	return nil
}

// typedFields are writable fields WordPress validates against their schema type, so a null sent
// for them is refused rather than read as empty.
var typedFields = map[string]string{
	"meta_data": "array", "line_items": "array", "shipping_lines": "array", "fee_lines": "array",
	"coupon_lines": "array", "attributes": "array", "billing": "object", "shipping": "object",
	"stock_quantity": "integer", "create": "array", "update": "array", "delete": "array",
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

func forceDelete(r *http.Request) bool {
	v := r.URL.Query().Get("force")
	return v == "true" || v == "1"
}
