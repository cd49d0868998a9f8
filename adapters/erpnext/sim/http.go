package sim

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/retailsync/retailsync/internal/simkit"
)

// apiMux routes Frappe's REST API (frappe/api/v1.py).
func (s *Server) apiMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/resource/{doctype}", s.authed(s.handleList))
	mux.HandleFunc("POST /api/resource/{doctype}", s.authed(s.handleInsert))
	mux.HandleFunc("GET /api/resource/{doctype}/{name}", s.authed(s.handleGet))
	mux.HandleFunc("PUT /api/resource/{doctype}/{name}", s.authed(s.handleUpdate))
	mux.HandleFunc("DELETE /api/resource/{doctype}/{name}", s.authed(s.handleDelete))
	mux.HandleFunc("GET /api/method/{method}", s.authed(s.handleMethod))
	mux.HandleFunc("POST /api/method/{method}", s.authed(s.handleMethod))
	return mux
}

type apiHandler func(r *http.Request) (status int, key string, body any, err error)

// authed checks "Authorization: token <api_key>:<api_secret>" and writes the answer: {"data": ...}
// for resources, {"message": ...} for methods, Frappe's error body for exceptions. A request with no
// credentials runs as Guest, who may read and write nothing (403); wrong credentials are 401.
func (s *Server) authed(h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			writeFrappeError(w, newError(http.StatusForbidden, "PermissionError", "Not permitted"))
			return
		}
		want := "token " + s.opts.APIKey + ":" + s.opts.APISecret
		if subtle.ConstantTimeCompare([]byte(auth), []byte(want)) != 1 {
			writeFrappeError(w, newError(http.StatusUnauthorized, "AuthenticationError", "Invalid API Key or API Secret"))
			return
		}
		s.mu.Lock()
		status, key, body, err := h(r)
		s.mu.Unlock()
		if err != nil {
			var fe *frappeError
			if !errors.As(err, &fe) {
				fe = newError(http.StatusInternalServerError, "Exception", "%v", err)
			}
			writeFrappeError(w, fe)
			return
		}
		simkit.WriteJSON(w, status, map[string]any{key: body})
	}
}

func (s *Server) handleList(r *http.Request) (int, string, any, error) {
	doctype := r.PathValue("doctype")
	dt, err := s.doctype(doctype)
	if err != nil {
		return 0, "", nil, err
	}
	q, err := parseListQuery(dt, r.URL.Query())
	if err != nil {
		return 0, "", nil, err
	}
	docs, err := s.list(doctype, q)
	return http.StatusOK, "data", docs, err
}

func parseListQuery(dt *docType, v url.Values) (listQuery, error) {
	q := listQuery{fields: []string{"name"}, pageLength: 20}
	if raw := v.Get("fields"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &q.fields); err != nil {
			return q, validation("ValidationError", "fields must be a JSON list of field names: %v", err)
		}
	}
	var err error
	if q.conditions, err = parseFilters(dt, v.Get("filters")); err != nil {
		return q, err
	}
	if q.orConds, err = parseFilters(dt, v.Get("or_filters")); err != nil {
		return q, err
	}
	if q.order, err = parseOrderBy(v.Get("order_by")); err != nil {
		return q, err
	}
	if q.start, err = intParam(v, "limit_start", 0); err != nil {
		return q, err
	}
	length := v.Get("limit_page_length")
	if length == "" {
		length = v.Get("limit") // v15 accepts limit as an alias
	}
	if length != "" {
		if q.pageLength, err = strconv.Atoi(length); err != nil || q.pageLength < 0 {
			return q, validation("ValidationError", "limit_page_length must be a non-negative integer: %s", length)
		}
	}
	return q, nil
}

func intParam(v url.Values, key string, def int) (int, error) {
	raw := v.Get(key)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, validation("ValidationError", "%s must be a non-negative integer: %s", key, raw)
	}
	return n, nil
}

func (s *Server) handleGet(r *http.Request) (int, string, any, error) {
	doctype, name := r.PathValue("doctype"), r.PathValue("name")
	if _, err := s.doctype(doctype); err != nil {
		return 0, "", nil, err
	}
	d, ok := s.get(doctype, name)
	if !ok {
		return 0, "", nil, notFound(doctype, name)
	}
	return http.StatusOK, "data", d.clone(), nil
}

func (s *Server) handleInsert(r *http.Request) (int, string, any, error) {
	d, err := readDoc(r)
	if err != nil {
		return 0, "", nil, err
	}
	created, err := s.insert(r.PathValue("doctype"), d)
	if err != nil {
		return 0, "", nil, err
	}
	return http.StatusOK, "data", created.clone(), nil
}

func (s *Server) handleUpdate(r *http.Request) (int, string, any, error) {
	d, err := readDoc(r)
	if err != nil {
		return 0, "", nil, err
	}
	updated, err := s.update(r.PathValue("doctype"), r.PathValue("name"), d)
	if err != nil {
		return 0, "", nil, err
	}
	return http.StatusOK, "data", updated.clone(), nil
}

func (s *Server) handleDelete(r *http.Request) (int, string, any, error) {
	if err := s.remove(r.PathValue("doctype"), r.PathValue("name")); err != nil {
		return 0, "", nil, err
	}
	return http.StatusAccepted, "message", "ok", nil
}

// readDoc reads a document from a JSON body, or from the form field "data" as FrappeClient sends it.
func readDoc(r *http.Request) (doc, error) {
	args, err := readArgs(r)
	if err != nil {
		return nil, err
	}
	if raw, ok := args["data"].(string); ok && len(args) == 1 {
		if args, err = decodeObject(raw); err != nil {
			return nil, err
		}
	}
	return decodeDoc(args)
}

// readArgs merges query parameters and a JSON or form body into one argument map, as Frappe's
// form_dict does.
func readArgs(r *http.Request) (map[string]any, error) {
	args := map[string]any{}
	for k, v := range r.URL.Query() {
		args[k] = v[0]
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return args, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, validation("ValidationError", "cannot read the request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return args, nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, validation("ValidationError", "cannot parse the form body: %v", err)
		}
		for k, v := range form {
			args[k] = v[0]
		}
		return args, nil
	}
	obj, err := decodeObject(string(body))
	if err != nil {
		return nil, err
	}
	for k, v := range obj {
		args[k] = v
	}
	return args, nil
}

func decodeObject(raw string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, validation("ValidationError", "the request body must be a JSON object: %v", err)
	}
	return obj, nil
}
