package sim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

func queryOf(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func (s *site) listNames(doctype string, q url.Values) []string {
	s.t.Helper()
	status, body := s.call("GET", "/api/resource/"+doctype, q, nil)
	if status != http.StatusOK {
		s.t.Fatalf("list %s: HTTP %d %v", doctype, status, body)
	}
	var names []string
	for _, r := range body["data"].([]any) {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	return names
}

func TestListPagesWithLimitStartAndPageLength(t *testing.T) {
	s := newSite(t, sim.Options{})
	for i := range 45 {
		s.customer(fmt.Sprintf("Customer %02d", i))
	}
	asc := "name asc"
	if got := s.listNames("Customer", queryOf("order_by", asc)); len(got) != 20 {
		t.Errorf("default page = %d rows, want 20", len(got))
	}
	var all []string
	for start := 0; ; start += 20 {
		page := s.listNames("Customer", queryOf("order_by", asc, "limit_start", fmt.Sprint(start), "limit_page_length", "20"))
		all = append(all, page...)
		if len(page) < 20 {
			break
		}
	}
	if len(all) != 45 || all[0] != "Customer 00" || all[44] != "Customer 44" {
		t.Errorf("paged through %d customers, %v..%v", len(all), all[0], all[len(all)-1])
	}
	if got := s.listNames("Customer", queryOf("limit_page_length", "0")); len(got) != 45 {
		t.Errorf("limit_page_length 0 returned %d rows, want all 45", len(got))
	}
	if got := s.listNames("Customer", queryOf("order_by", "name desc", "limit", "1")); len(got) != 1 || got[0] != "Customer 44" {
		t.Errorf("name desc limit 1 = %v", got)
	}
}

func TestListFieldsAndFilters(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.insert("Customer", map[string]any{"customer_name": "Jane Doe", "email_id": "jane@example.com", "customer_type": "Individual"})
	s.insert("Customer", map[string]any{"customer_name": "Acme Corp", "email_id": "ap@acme.example"})
	status, body := s.call("GET", "/api/resource/Customer", queryOf("filters", `[["email_id","like","%example.com"]]`), nil)
	rows := body["data"].([]any)
	if status != http.StatusOK || len(rows) != 1 {
		t.Fatalf("like filter: HTTP %d %v", status, body)
	}
	if row := rows[0].(map[string]any); len(row) != 1 || row["name"] != "Jane Doe" {
		t.Errorf("default fields are [name] only, got %v", row)
	}
	got := s.listNames("Customer", queryOf("filters", `{"customer_type": "Individual"}`))
	if len(got) != 1 || got[0] != "Jane Doe" {
		t.Errorf("dict filter = %v", got)
	}
	got = s.listNames("Customer", queryOf("filters", `[["Customer","name","in",["Acme Corp","Nobody"]]]`))
	if len(got) != 1 || got[0] != "Acme Corp" {
		t.Errorf("in filter with doctype = %v", got)
	}
	status, _ = s.call("GET", "/api/resource/Customer", queryOf("filters", `[["name","~","x"]]`), nil)
	if status != http.StatusExpectationFailed {
		t.Errorf("unknown operator: HTTP %d, want 417", status)
	}
}

func TestChildTableFilter(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	a := s.order(c, "woo-a", line{"GIFT-WRAP", 1, "1"})
	s.order(c, "woo-b", line{"TEE-WHT-S", 1, "1"})
	got := s.listNames("Sales Order", queryOf("filters", `[["Sales Order Item","item_code","=","GIFT-WRAP"]]`))
	if len(got) != 1 || got[0] != a["name"] {
		t.Errorf("orders with a GIFT-WRAP line = %v, want [%v]", got, a["name"])
	}
}

func TestChangeFeedByModified(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	s := newSite(t, sim.Options{Now: func() time.Time { return now }})
	s.customer("Early")
	cursor := now.Format(sim.Datetime)
	now = now.Add(time.Second)
	s.customer("Late B")
	s.customer("Late A")
	got := s.listNames("Customer", queryOf("filters", `[["modified",">","`+cursor+`"]]`, "order_by", "modified asc, name asc"))
	if len(got) != 2 || got[0] != "Late A" || got[1] != "Late B" {
		t.Errorf("changed since %s = %v, want [Late A, Late B]", cursor, got)
	}
}
