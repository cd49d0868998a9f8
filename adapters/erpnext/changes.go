package erpnext

import (
	"context"
	"encoding/json"

	"github.com/retailsync/retailsync/internal/failure"
)

// Cursor is a position in a doctype's change feed: the (modified, name) of the last document read.
// Modified is Frappe's datetime string, kept as the ERP wrote it ("2026-12-04 20:41:00.123456",
// site-local time) and passed back unchanged.
type Cursor struct {
	Modified string `json:"modified"`
	Name     string `json:"name"`
}

func (c Cursor) after(modified, name string) bool {
	return modified > c.Modified || (modified == c.Modified && name > c.Name)
}

// Changes reads the next documents of doctype modified since the cursor, oldest first
// (order_by "modified asc, name asc"), at most limit of them, with fields (which must include name
// and modified; they are added when missing), and returns the cursor after the last one.
//
// Several documents can share one modified timestamp, so filtering on modified > cursor would skip
// the rest of a tie cut by a page boundary. The feed filters on modified >= cursor and drops what the
// cursor already covers; only when a whole page is one tie already read does it ask for the rest of
// that tie by name, and then for what follows the tie.
func Changes[T any](ctx context.Context, c *Client, doctype string, fields []string, since Cursor, limit int) ([]T, Cursor, error) {
	if limit <= 0 {
		limit = 100
	}
	fields = withFields(fields, "name", "modified")
	opts := ListOptions{Fields: fields, OrderBy: "modified asc, name asc", PageLength: limit}
	if since.Modified != "" {
		opts.Filters = []Filter{{Field: "modified", Operator: ">=", Value: since.Modified}}
	}
	rows, err := changePage[T](ctx, c, doctype, opts, since)
	if err != nil {
		return nil, since, err
	}
	if rows.seen == limit && len(rows.items) == 0 {
		tie := ListOptions{Fields: fields, OrderBy: "name asc", PageLength: limit, Filters: []Filter{
			{Field: "modified", Operator: "=", Value: since.Modified},
			{Field: "name", Operator: ">", Value: since.Name},
		}}
		if rows, err = changePage[T](ctx, c, doctype, tie, since); err != nil {
			return nil, since, err
		}
		if rows.seen < limit { // the tie is exhausted: go on past it
			rest := ListOptions{Fields: fields, OrderBy: "modified asc, name asc", PageLength: limit - len(rows.items), Filters: []Filter{
				{Field: "modified", Operator: ">", Value: since.Modified},
			}}
			more, err := changePage[T](ctx, c, doctype, rest, rows.next)
			if err != nil {
				return nil, since, err
			}
			rows.items, rows.next = append(rows.items, more.items...), more.next
		}
	}
	return rows.items, rows.next, nil
}

type changeRows[T any] struct {
	items []T
	seen  int
	next  Cursor
}

func changePage[T any](ctx context.Context, c *Client, doctype string, opts ListOptions, since Cursor) (changeRows[T], error) {
	out := changeRows[T]{next: since}
	var page []json.RawMessage
	if err := c.List(ctx, doctype, opts, &page); err != nil {
		return out, err
	}
	out.seen = len(page)
	for _, raw := range page {
		var key Cursor
		if err := json.Unmarshal(raw, &key); err != nil {
			return out, badDocument(doctype, err)
		}
		if since.Modified != "" && !since.after(key.Modified, key.Name) {
			continue
		}
		var item T
		if err := json.Unmarshal(raw, &item); err != nil {
			return out, badDocument(doctype, err)
		}
		out.items = append(out.items, item)
		out.next = key
	}
	return out, nil
}

func withFields(fields []string, required ...string) []string {
	out := append([]string(nil), fields...)
	for _, r := range required {
		found := false
		for _, f := range fields {
			found = found || f == r || f == "*"
		}
		if !found {
			out = append(out, r)
		}
	}
	return out
}

func badDocument(doctype string, err error) error {
	return &failure.Error{Kind: failure.Transient, Reason: failure.ReasonBadResponse, System: System, Message: "decoding a " + doctype + ": " + err.Error(), Err: err}
}
