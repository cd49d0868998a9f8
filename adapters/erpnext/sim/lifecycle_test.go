package sim_test

import (
	"net/http"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

func TestSubmittedDocumentIsLockedExceptAllowOnSubmitFields(t *testing.T) {
	s := newSite(t, sim.Options{})
	so := s.order(s.customer("Jane Doe"), "woo-1", line{"GIFT-WRAP", 2, "2.50"})
	path := "/api/resource/Sales Order/" + so["name"].(string)

	status, body := s.call("PUT", path, nil, map[string]any{"customer": s.customer("John Roe")})
	if status != http.StatusExpectationFailed || body["exc_type"] != "UpdateAfterSubmitError" {
		t.Errorf("changing the customer of a submitted order: HTTP %d %v, want 417 UpdateAfterSubmitError", status, body["exc_type"])
	}
	status, body = s.call("PUT", path, nil, map[string]any{"delivery_date": "2027-01-15"})
	if status != http.StatusOK || body["data"].(map[string]any)["delivery_date"] != "2027-01-15" {
		t.Errorf("changing delivery_date (allow on submit): HTTP %d %v", status, body)
	}
	status, body = s.call("PUT", path, nil, map[string]any{"docstatus": 0})
	if status != http.StatusExpectationFailed || body["exc_type"] != "DocstatusTransitionError" {
		t.Errorf("submitted back to draft: HTTP %d %v, want 417 DocstatusTransitionError", status, body["exc_type"])
	}
	status, _ = s.call("DELETE", path, nil, nil)
	if status != http.StatusExpectationFailed {
		t.Errorf("deleting a submitted order: HTTP %d, want 417", status)
	}
}

func TestCancelledDocumentIsReadOnlyAndAmendedByACopy(t *testing.T) {
	s := newSite(t, sim.Options{})
	so := s.order(s.customer("Jane Doe"), "woo-2", line{"GIFT-WRAP", 1, "2.50"})
	name := so["name"].(string)
	status, body := s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Sales Order", "name": name})
	if status != http.StatusOK {
		t.Fatalf("cancel: HTTP %d %v", status, body)
	}
	doc, _ := s.Document("Sales Order", name)
	if num(t, doc["docstatus"]).IntPart() != 2 || doc["status"] != "Cancelled" {
		t.Fatalf("after cancel: docstatus %v status %v", doc["docstatus"], doc["status"])
	}
	status, body = s.call("PUT", "/api/resource/Sales Order/"+name, nil, map[string]any{"delivery_date": "2027-02-01"})
	if status != http.StatusExpectationFailed || serverMessages(t, body)[0] != "Cannot edit cancelled document" {
		t.Errorf("editing a cancelled order: HTTP %d %v", status, body)
	}
	amended := s.insert("Sales Order", map[string]any{
		"customer": so["customer"], "amended_from": name, "set_warehouse": "Stores - ACME",
		"items": lines2items([]line{{"GIFT-WRAP", 3, "2.50"}}),
	})
	if amended["name"] != name+"-1" {
		t.Errorf("amended name = %v, want %s-1", amended["name"], name)
	}
	again := s.insert("Sales Order", map[string]any{"customer": so["customer"], "amended_from": name, "items": lines2items([]line{{"GIFT-WRAP", 1, "1"}})})
	if again["name"] != name+"-2" {
		t.Errorf("second amendment name = %v, want %s-2", again["name"], name)
	}
}

func TestDraftSubmitsThroughPutOrClientSubmit(t *testing.T) {
	s := newSite(t, sim.Options{})
	c := s.customer("Jane Doe")
	draft := s.insert("Sales Order", map[string]any{"customer": c, "set_warehouse": "Stores - ACME", "items": lines2items([]line{{"GIFT-WRAP", 1, "4"}})})
	if draft["status"] != "Draft" || num(t, draft["docstatus"]).IntPart() != 0 {
		t.Fatalf("draft: %v %v", draft["status"], draft["docstatus"])
	}
	status, body := s.call("PUT", "/api/resource/Sales Order/"+draft["name"].(string), nil, map[string]any{"docstatus": 1})
	if status != http.StatusOK || body["data"].(map[string]any)["status"] != "To Deliver and Bill" {
		t.Errorf("submit by PUT: HTTP %d %v", status, body)
	}
	status, body = s.call("POST", "/api/method/frappe.client.submit", nil, map[string]any{"doc": map[string]any{
		"doctype": "Sales Order", "customer": c, "set_warehouse": "Stores - ACME", "items": lines2items([]line{{"GIFT-WRAP", 1, "4"}}),
	}})
	if status != http.StatusOK || num(t, body["message"].(map[string]any)["docstatus"]).IntPart() != 1 {
		t.Errorf("frappe.client.submit: HTTP %d %v", status, body)
	}
}

func TestStaleModifiedIsTimestampMismatch(t *testing.T) {
	s := newSite(t, sim.Options{})
	draft := s.insert("Customer", map[string]any{"customer_name": "Jane Doe"})
	status, body := s.call("PUT", "/api/resource/Customer/Jane Doe", nil, map[string]any{"modified": "2001-01-01 00:00:00.000000", "mobile_no": "555"})
	if status != http.StatusExpectationFailed || body["exc_type"] != "TimestampMismatchError" {
		t.Errorf("stale save: HTTP %d %v, want 417 TimestampMismatchError", status, body["exc_type"])
	}
	status, _ = s.call("PUT", "/api/resource/Customer/Jane Doe", nil, map[string]any{"modified": draft["modified"], "mobile_no": "555"})
	if status != http.StatusOK {
		t.Errorf("save with the current modified: HTTP %d", status)
	}
}

func TestSalesOrderTotalsToTheCent(t *testing.T) {
	s := newSite(t, sim.Options{})
	so := s.insert("Sales Order", map[string]any{
		"customer": s.customer("Jane Doe"), "set_warehouse": "Stores - ACME",
		"items": lines2items([]line{{"GIFT-WRAP", 3, "19.99"}, {"GIFT-WRAP", 1, "0.35"}}),
		"taxes": []map[string]any{
			{"charge_type": "Actual", "account_head": "Sales Tax CA - ACME", "tax_amount": "5.23", "description": "CA state tax"},
			{"charge_type": "Actual", "account_head": "Shipping Income - ACME", "tax_amount": 4.99, "description": "Shipping"},
			{"charge_type": "On Net Total", "account_head": "Sales Tax CA - ACME", "rate": "1.25", "description": "District tax"},
		},
		"discount_amount": "2.00",
	})
	// net 59.97 + 0.35 = 60.32; district 1.25% of 60.32 = 0.754 -> 0.75; 60.32 + 5.23 + 4.99 + 0.75 - 2.00
	wantDecimal(t, "net_total", num(t, so["net_total"]), dec("60.32"))
	wantDecimal(t, "total_taxes_and_charges", num(t, so["total_taxes_and_charges"]), dec("10.97"))
	wantDecimal(t, "grand_total", num(t, so["grand_total"]), dec("69.29"))
}
