package erpnext

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/retailsync/retailsync/internal/failure"
)

// Docstatus is a document's place in Frappe's lifecycle.
const (
	Draft     = 0
	Submitted = 1
	Cancelled = 2
)

// Filter is one list condition, [field, operator, value]; with ChildDoctype it filters on a child
// table's field ([child doctype, field, operator, value]), matching documents with any such row.
type Filter struct {
	ChildDoctype string
	Field        string
	Operator     string
	Value        any
}

// Eq is the filter field = value.
func Eq(field string, value any) Filter { return Filter{Field: field, Operator: "=", Value: value} }

// In is the filter field in values.
func In[T any](field string, values []T) Filter {
	return Filter{Field: field, Operator: "in", Value: values}
}

func (f Filter) MarshalJSON() ([]byte, error) {
	if f.ChildDoctype != "" {
		return json.Marshal([]any{f.ChildDoctype, f.Field, f.Operator, f.Value})
	}
	return json.Marshal([]any{f.Field, f.Operator, f.Value})
}

// ListOptions are frappe.client.get_list's arguments. PageLength 0 asks for Frappe's default (20);
// use ListAll to read every page.
type ListOptions struct {
	Fields     []string
	Filters    []Filter
	OrFilters  []Filter
	OrderBy    string
	Start      int
	PageLength int
}

func (o ListOptions) query() (url.Values, error) {
	q := url.Values{}
	for key, v := range map[string]any{"fields": o.Fields, "filters": o.Filters, "or_filters": o.OrFilters} {
		if v == nil {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, failure.Permanentf(failure.ReasonInternal, "encoding list %s: %v", key, err)
		}
		if string(raw) != "null" {
			q.Set(key, string(raw))
		}
	}
	if o.OrderBy != "" {
		q.Set("order_by", o.OrderBy)
	}
	if o.Start > 0 {
		q.Set("limit_start", strconv.Itoa(o.Start))
	}
	if o.PageLength > 0 {
		q.Set("limit_page_length", strconv.Itoa(o.PageLength))
	}
	return q, nil
}

func resourcePath(doctype string, name ...string) string {
	p := "/api/resource/" + doctype
	for _, n := range name {
		p += "/" + n
	}
	return p
}

type dataEnvelope[T any] struct {
	Data T `json:"data"`
}

type messageEnvelope[T any] struct {
	Message T `json:"message"`
}

// List reads one page of a doctype into out (a pointer to a slice).
func (c *Client) List(ctx context.Context, doctype string, opts ListOptions, out any) error {
	q, err := opts.query()
	if err != nil {
		return err
	}
	env := dataEnvelope[any]{Data: out}
	return c.do(ctx, "GET", resourcePath(doctype), q, nil, &env)
}

// ListAll reads every page of a list, pageSize rows at a time (100 when zero).
func ListAll[T any](ctx context.Context, c *Client, doctype string, opts ListOptions, pageSize int) ([]T, error) {
	if pageSize <= 0 {
		pageSize = 100
	}
	opts.PageLength = pageSize
	var all []T
	for {
		var page []T
		if err := c.List(ctx, doctype, opts, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < pageSize {
			return all, nil
		}
		opts.Start += len(page)
	}
}

// Get reads one document, child tables included.
func (c *Client) Get(ctx context.Context, doctype, name string, out any) error {
	if name == "" {
		return failure.Permanentf(failure.ReasonValidation, "reading %s: no document name", doctype)
	}
	return c.do(ctx, "GET", resourcePath(doctype, name), nil, nil, &dataEnvelope[any]{Data: out})
}

// Insert creates a draft document and decodes the stored document into out.
func (c *Client) Insert(ctx context.Context, doctype string, doc, out any) error {
	return c.insert(ctx, doctype, doc, Draft, out)
}

// InsertAndSubmit creates and submits a document in one request (docstatus 1 on insert), so that
// no draft is ever left behind by a crash between two calls.
func (c *Client) InsertAndSubmit(ctx context.Context, doctype string, doc, out any) error {
	return c.insert(ctx, doctype, doc, Submitted, out)
}

func (c *Client) insert(ctx context.Context, doctype string, doc any, docstatus int, out any) error {
	fields, err := asFields(doc)
	if err != nil {
		return err
	}
	fields["docstatus"] = docstatus
	return c.do(ctx, "POST", resourcePath(doctype), nil, fields, &dataEnvelope[any]{Data: out})
}

// Update patches a document (PUT). On a submitted document only allow-on-submit fields may change.
func (c *Client) Update(ctx context.Context, doctype, name string, patch, out any) error {
	return c.do(ctx, "PUT", resourcePath(doctype, name), nil, patch, &dataEnvelope[any]{Data: out})
}

// Delete removes a draft document.
func (c *Client) Delete(ctx context.Context, doctype, name string) error {
	return c.do(ctx, "DELETE", resourcePath(doctype, name), nil, nil, nil)
}

// Submit submits a draft.
func (c *Client) Submit(ctx context.Context, doctype, name string, out any) error {
	return c.Update(ctx, doctype, name, map[string]any{"docstatus": Submitted}, out)
}

// Cancel cancels a submitted document (frappe.client.cancel); it is read-only afterwards.
func (c *Client) Cancel(ctx context.Context, doctype, name string) error {
	return c.Call(ctx, "frappe.client.cancel", map[string]any{"doctype": doctype, "name": name}, nil)
}

// Amend creates the draft that corrects a cancelled document: a copy with amended_from set, which
// Frappe names after the original ("SAL-ORD-2026-00001-1"). changes are applied to the copy.
func (c *Client) Amend(ctx context.Context, doctype, name string, changes map[string]any, out any) error {
	var orig map[string]any
	if err := c.Get(ctx, doctype, name, &orig); err != nil {
		return err
	}
	if ds, _ := orig["docstatus"].(json.Number); ds.String() != strconv.Itoa(Cancelled) {
		return failure.Permanentf(failure.ReasonValidation, "%s %s is not cancelled: only a cancelled document can be amended", doctype, name)
	}
	amended := copyForAmend(orig)
	amended["amended_from"] = name
	for k, v := range changes {
		amended[k] = v
	}
	return c.Insert(ctx, doctype, amended, out)
}

// bookkeeping fields Frappe sets itself; an amendment must not carry them over.
var bookkeeping = []string{"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "parent", "parentfield", "parenttype", "status"}

func copyForAmend(d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for k, v := range d {
		if rows, ok := v.([]any); ok {
			cp := make([]any, 0, len(rows))
			for _, r := range rows {
				if row, ok := r.(map[string]any); ok {
					cp = append(cp, copyForAmend(row))
				}
			}
			v = cp
		}
		out[k] = v
	}
	for _, k := range bookkeeping {
		delete(out, k)
	}
	return out
}

// Call runs a whitelisted method (POST /api/method/<dotted.path>) and decodes its "message" into out.
func (c *Client) Call(ctx context.Context, method string, args map[string]any, out any) error {
	if args == nil {
		args = map[string]any{}
	}
	return c.do(ctx, "POST", "/api/method/"+method, nil, args, &messageEnvelope[any]{Message: out})
}

// asFields turns a typed document into its field map so the client can set docstatus on it.
func asFields(doc any) (map[string]any, error) {
	if m, ok := doc.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out, nil
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, failure.Permanentf(failure.ReasonInternal, "encoding %T: %v", doc, err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, failure.Permanentf(failure.ReasonInternal, "%T is not a document: %v", doc, err)
	}
	return m, nil
}
