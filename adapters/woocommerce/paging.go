package woocommerce

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxPerPage is wc/v3's largest page; per_page=101 is refused with 400 rest_invalid_param.
const MaxPerPage = 100

// ListOptions filters and pages a collection. Dates are sent in UTC with dates_are_gmt=true, so
// they compare against the `_gmt` columns whatever the site's time zone.
type ListOptions struct {
	ModifiedAfter  time.Time
	ModifiedBefore time.Time
	After          time.Time // created after
	Before         time.Time // created before
	PerPage        int       // 0 means MaxPerPage
	OrderBy        string    // date, id, modified, ...
	Order          string    // asc or desc
	Status         []string
	SKU            []string // products: exact SKUs
	Include        []int64
	// Extra carries filters this type does not name (customer, product, type, stock_status ...).
	Extra url.Values
}

func (o ListOptions) values() url.Values {
	q := url.Values{}
	for k, vs := range o.Extra {
		q[k] = append([]string(nil), vs...)
	}
	gmt := false
	for name, t := range map[string]time.Time{
		"modified_after": o.ModifiedAfter, "modified_before": o.ModifiedBefore, "after": o.After, "before": o.Before,
	} {
		if !t.IsZero() {
			q.Set(name, t.UTC().Format(dateLayout))
			gmt = true
		}
	}
	if gmt {
		q.Set("dates_are_gmt", "true")
	}
	perPage := o.PerPage
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	q.Set("per_page", strconv.Itoa(perPage))
	if o.OrderBy != "" {
		q.Set("orderby", o.OrderBy)
	}
	if o.Order != "" {
		q.Set("order", o.Order)
	}
	if len(o.Status) > 0 {
		q.Set("status", strings.Join(o.Status, ","))
	}
	if len(o.SKU) > 0 {
		q.Set("sku", strings.Join(o.SKU, ","))
	}
	if len(o.Include) > 0 {
		ids := make([]string, len(o.Include))
		for i, id := range o.Include {
			ids[i] = strconv.FormatInt(id, 10)
		}
		q.Set("include", strings.Join(ids, ","))
	}
	return q
}

// page is one page of a collection with WooCommerce's paging headers.
type page[T any] struct {
	Items      []T
	TotalPages int // X-WP-TotalPages
}

func listPage[T any](ctx context.Context, c *Client, path string, q url.Values, number int) (page[T], error) {
	q.Set("page", strconv.Itoa(number))
	var items []T
	h, err := c.call(ctx, "GET", path, q, nil, &items)
	if err != nil {
		return page[T]{}, err
	}
	p := page[T]{Items: items}
	p.TotalPages, _ = strconv.Atoi(h.Get("X-WP-TotalPages"))
	return p, nil
}

// list walks every page of a collection, following X-WP-TotalPages. It stops at the first error,
// which it yields once. The total is read again on every page: items created meanwhile extend the
// walk. When a proxy strips the paging headers it keeps going until a short or empty page rather
// than stopping after the first one.
func list[T any](ctx context.Context, c *Client, path string, opts ListOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := opts.values()
		for number := 1; ; number++ {
			p, err := listPage[T](ctx, c, path, q, number)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
			}
			perPage, _ := strconv.Atoi(q.Get("per_page"))
			if len(p.Items) == 0 || (p.TotalPages > 0 && number >= p.TotalPages) || (p.TotalPages == 0 && len(p.Items) < perPage) {
				return
			}
		}
	}
}

// Collect gathers a collection walk (Client.Orders, Client.Products ...) into a slice.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for item, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, item)
	}
	return out, nil
}
