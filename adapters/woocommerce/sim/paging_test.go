package sim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func TestPerPageLimits(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	for _, v := range []string{"101", "0", "ten"} {
		a := f.call("GET", "/products", url.Values{"per_page": {v}}, nil)
		e := a.wcError(t)
		if a.status != 400 || e.Code != "rest_invalid_param" || e.Data.Params["per_page"] == "" {
			t.Errorf("per_page=%s: %d %+v", v, a.status, e)
		}
	}
	if a := f.call("GET", "/products", url.Values{"per_page": {"100"}}, nil); a.status != http.StatusOK {
		t.Errorf("per_page=100: %d", a.status)
	}
	if a := f.call("GET", "/orders", url.Values{"page": {"0"}}, nil); a.status != 400 || a.wcError(t).Code != "rest_invalid_param" {
		t.Errorf("page=0: %d", a.status)
	}
}

func TestPagingHeadersAndThePagePastTheEnd(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 25})
	a := f.call("GET", "/products", url.Values{"per_page": {"10"}, "page": {"2"}}, nil)
	var page []woocommerce.Product
	a.decode(t, &page)
	if len(page) != 10 || a.header.Get("X-WP-Total") != "25" || a.header.Get("X-WP-TotalPages") != "3" {
		t.Fatalf("page 2: %d items, total %s, pages %s", len(page), a.header.Get("X-WP-Total"), a.header.Get("X-WP-TotalPages"))
	}
	link := a.header.Get("Link")
	if !regexp.MustCompile(`^<http://[^>]+page=1[^>]*>; rel="prev", <http://[^>]+page=3[^>]*>; rel="next"$`).MatchString(link) {
		t.Errorf("Link %q lacks prev and next", link)
	}
	if strings.Contains(link, "oauth_") {
		t.Errorf("Link %q repeats the OAuth parameters", link)
	}
	a = f.call("GET", "/products", url.Values{"per_page": {"10"}, "page": {"4"}}, nil)
	if a.status != http.StatusOK || strings.TrimSpace(string(a.body)) != "[]" {
		t.Errorf("page past the end: %d %s", a.status, a.body)
	}
	// Default per_page is 10 and default order is newest first.
	a = f.call("GET", "/products", nil, nil)
	a.decode(t, &page)
	if len(page) != 10 {
		t.Errorf("default page size %d, want 10", len(page))
	}
}

func TestDateFiltersAreSiteLocalUnlessDatesAreGMT(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	if _, err := f.s.PlaceOrder(f.s.RandomOrder()); err != nil { // placed at 12:00 UTC = 07:00 site time
		t.Fatal(err)
	}
	count := func(q url.Values) int {
		var orders []woocommerce.Order
		a := f.call("GET", "/orders", q, nil)
		a.decode(t, &orders)
		return len(orders)
	}
	if n := count(url.Values{"modified_after": {"2026-03-01T11:00:00"}, "dates_are_gmt": {"true"}}); n != 1 {
		t.Errorf("11:00 GMT: %d orders, want 1", n)
	}
	// Without dates_are_gmt, 11:00 is site time (16:00 UTC): after the order.
	if n := count(url.Values{"modified_after": {"2026-03-01T11:00:00"}}); n != 0 {
		t.Errorf("11:00 site time: %d orders, want 0", n)
	}
	if n := count(url.Values{"modified_after": {"2026-03-01T06:30:00"}}); n != 1 {
		t.Errorf("06:30 site time: %d orders, want 1", n)
	}
	if a := f.call("GET", "/orders", url.Values{"after": {"yesterday"}}, nil); a.status != 400 {
		t.Errorf("bad date: %d", a.status)
	}
	var orders []woocommerce.Order
	f.call("GET", "/orders", nil, nil).decode(t, &orders)
	o := orders[0]
	if !o.DateCreatedGMT.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) || o.DateCreated.Hour() != 7 {
		t.Errorf("date_created %v (site) / %v (gmt)", o.DateCreated, o.DateCreatedGMT)
	}
}
