package sim

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// listQuery is a collection request's common parameters, validated as WordPress validates them.
type listQuery struct {
	page, perPage, offset int
	orderBy, order        string
	after, before         time.Time
	modAfter, modBefore   time.Time
	include               map[int64]bool
	q                     url.Values
}

// listed is what paging and filtering need from any resource.
type listed struct {
	id                int64
	created, modified time.Time
	title             string
}

func parseInt(q url.Values, name string, def, lo, hi int) (int, *restError) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidParam(name, name+" is not of type integer.")
	}
	if n < lo || (hi > 0 && n > hi) {
		if hi > 0 {
			return 0, invalidParam(name, fmt.Sprintf("%s must be between %d (inclusive) and %d (inclusive)", name, lo, hi))
		}
		return 0, invalidParam(name, fmt.Sprintf("%s must be greater than or equal to %d", name, lo))
	}
	return n, nil
}

// parseList reads page, per_page (1..100), offset, orderby, order, include and the date filters.
// Dates without an offset are site-local unless dates_are_gmt=true.
func (s *Sim) parseList(r *http.Request, orderBys ...string) (listQuery, *restError) {
	q := r.URL.Query()
	lq := listQuery{q: q, order: "desc", orderBy: "date"}
	var e *restError
	if lq.page, e = parseInt(q, "page", 1, 1, 0); e != nil {
		return lq, e
	}
	if lq.perPage, e = parseInt(q, "per_page", 10, 1, woocommerce.MaxPerPage); e != nil {
		return lq, e
	}
	if lq.offset, e = parseInt(q, "offset", 0, 0, 0); e != nil {
		return lq, e
	}
	if v := q.Get("order"); v != "" {
		if v != "asc" && v != "desc" {
			return lq, invalidParam("order", "order is not one of asc and desc.")
		}
		lq.order = v
	}
	if v := q.Get("orderby"); v != "" {
		allowed := append([]string{"date", "id", "include", "title", "slug", "modified"}, orderBys...)
		if !slices.Contains(allowed, v) {
			return lq, invalidParam("orderby", "orderby is not one of "+strings.Join(allowed, ", ")+".")
		}
		lq.orderBy = v
	}
	gmt := q.Get("dates_are_gmt") == "true" || q.Get("dates_are_gmt") == "1"
	for name, dst := range map[string]*time.Time{"after": &lq.after, "before": &lq.before,
		"modified_after": &lq.modAfter, "modified_before": &lq.modBefore} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		t, err := s.parseFilterDate(v, gmt)
		if err != nil {
			return lq, invalidParam(name, "Invalid date.")
		}
		*dst = t
	}
	if v := q.Get("include"); v != "" {
		lq.include = map[int64]bool{}
		for _, part := range strings.Split(v, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return lq, invalidParam("include", "include[0] is not of type integer.")
			}
			lq.include[id] = true
		}
	}
	return lq, nil
}

func (s *Sim) parseFilterDate(v string, gmt bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	loc := s.cfg.Location
	if gmt {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// keep reports whether an item passes the common filters.
func (lq listQuery) keep(it listed) bool {
	switch {
	case lq.include != nil && !lq.include[it.id],
		!lq.after.IsZero() && !it.created.After(lq.after),
		!lq.before.IsZero() && !it.created.Before(lq.before),
		!lq.modAfter.IsZero() && !it.modified.After(lq.modAfter),
		!lq.modBefore.IsZero() && !it.modified.Before(lq.modBefore):
		return false
	}
	return true
}

// paginate filters, sorts and cuts items, and sets X-WP-Total, X-WP-TotalPages and Link. A page past
// the end is an empty array.
func paginate[T any](w http.ResponseWriter, r *http.Request, lq listQuery, items []T, meta func(T) listed) []T {
	kept := make([]T, 0, len(items))
	for _, it := range items {
		if lq.keep(meta(it)) {
			kept = append(kept, it)
		}
	}
	slices.SortStableFunc(kept, func(a, b T) int {
		ma, mb := meta(a), meta(b)
		var c int
		switch lq.orderBy {
		case "modified":
			c = ma.modified.Compare(mb.modified)
		case "title", "slug":
			c = strings.Compare(ma.title, mb.title)
		case "id", "include":
			c = 0
		default:
			c = ma.created.Compare(mb.created)
		}
		if c == 0 {
			c = cmp.Compare(ma.id, mb.id)
		}
		if lq.order == "desc" {
			c = -c
		}
		return c
	})
	total := len(kept)
	pages := (total + lq.perPage - 1) / lq.perPage
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	setLinks(w, r, lq.page, pages)
	start := lq.offset + (lq.page-1)*lq.perPage
	if lq.offset > 0 {
		start = lq.offset
	}
	if start >= total {
		return []T{}
	}
	return kept[start:min(total, start+lq.perPage)]
}

func setLinks(w http.ResponseWriter, r *http.Request, page, pages int) {
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		if r.TLS != nil {
			u.Scheme = "https"
		}
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(k, "oauth_") || k == "consumer_key" || k == "consumer_secret" {
				q.Del(k)
			}
		}
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, max(pages, 1)), "prev"))
	}
	if page < pages {
		links = append(links, link(page+1, "next"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
}

// statusFilter reads a comma-separated status parameter; "any" or empty keeps all.
func statusFilter(q url.Values, name string) map[string]bool {
	v := q.Get(name)
	if v == "" || v == "any" {
		return nil
	}
	set := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		set[strings.TrimSpace(s)] = true
	}
	return set
}
