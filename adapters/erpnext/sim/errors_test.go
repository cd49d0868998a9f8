package sim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

func TestValidationErrorIs417WithDoubleEncodedServerMessages(t *testing.T) {
	s := newSite(t, sim.Options{})
	status, body := s.call("POST", "/api/resource/Sales Order", nil, map[string]any{"items": lines2items([]line{{"HD-BLK-M", 1, "10"}})})
	if status != http.StatusExpectationFailed {
		t.Fatalf("status = %d, want 417", status)
	}
	if body["exc_type"] != "MandatoryError" {
		t.Errorf("exc_type = %v, want MandatoryError", body["exc_type"])
	}
	msgs := serverMessages(t, body)
	if len(msgs) != 1 || msgs[0] != "Error: Value missing for Sales Order: Customer" {
		t.Errorf("server messages = %q", msgs)
	}
	if exc, _ := body["exception"].(string); !strings.HasPrefix(exc, "frappe.exceptions.MandatoryError: ") {
		t.Errorf("exception = %q, want the class path and the message", exc)
	}
}

func TestLinkToMissingDocumentIsLinkValidationError(t *testing.T) {
	s := newSite(t, sim.Options{})
	status, body := s.call("POST", "/api/resource/Sales Order", nil, map[string]any{
		"customer": "Nobody", "items": lines2items([]line{{"HD-BLK-M", 1, "10"}}),
	})
	if status != http.StatusExpectationFailed || body["exc_type"] != "LinkValidationError" {
		t.Fatalf("HTTP %d %v, want 417 LinkValidationError", status, body["exc_type"])
	}
	if msgs := serverMessages(t, body); msgs[0] != "Could not find Customer: Nobody" {
		t.Errorf("message = %q", msgs[0])
	}
}

func TestAuthentication(t *testing.T) {
	s := newSite(t, sim.Options{})
	for _, tc := range []struct {
		auth    string
		status  int
		excType string
	}{
		{"", http.StatusForbidden, "PermissionError"},
		{"token " + key + ":wrong", http.StatusUnauthorized, "AuthenticationError"},
		{"token " + key + ":" + secret, http.StatusOK, ""},
	} {
		status, body := s.callAs(tc.auth, "GET", "/api/method/frappe.auth.get_logged_user", nil, nil)
		if status != tc.status || (tc.excType != "" && body["exc_type"] != tc.excType) {
			t.Errorf("auth %q: HTTP %d %v, want %d %s", tc.auth, status, body["exc_type"], tc.status, tc.excType)
		}
	}
}

func TestNotFoundAndPermission(t *testing.T) {
	s := newSite(t, sim.Options{})
	status, body := s.call("GET", "/api/resource/Sales Order/SAL-ORD-2026-99999", nil, nil)
	if status != http.StatusNotFound || body["exc_type"] != "DoesNotExistError" {
		t.Errorf("missing order: HTTP %d %v, want 404 DoesNotExistError", status, body["exc_type"])
	}
	s.Deny("Customer", true)
	status, body = s.call("GET", "/api/resource/Customer", nil, nil)
	if status != http.StatusForbidden || body["exc_type"] != "PermissionError" {
		t.Errorf("denied doctype: HTTP %d %v, want 403 PermissionError", status, body["exc_type"])
	}
	status, _ = s.call("POST", "/api/resource/Bin", nil, map[string]any{"item_code": "HD-BLK-M"})
	if status != http.StatusForbidden {
		t.Errorf("writing a Bin: HTTP %d, want 403 (Bins are the ERP's own)", status)
	}
}

func TestDuplicateExternalOrderIDIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    sim.Options
		status  int
		excType string
	}{
		{"as 409 DuplicateEntryError", sim.Options{}, http.StatusConflict, "DuplicateEntryError"},
		{"as Frappe's 417 UniqueValidationError", sim.Options{UniqueAsValidationError: true}, http.StatusExpectationFailed, "UniqueValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, tc.opts)
			c := s.customer("Jane Doe")
			first := s.order(c, "woo-1001", line{"GIFT-WRAP", 1, "2.50"})
			status, body := s.call("POST", "/api/resource/Sales Order", nil, map[string]any{
				"customer": c, "custom_external_order_id": "woo-1001", "items": lines2items([]line{{"GIFT-WRAP", 1, "2.50"}}),
			})
			if status != tc.status || body["exc_type"] != tc.excType {
				t.Fatalf("second insert: HTTP %d %v, want %d %s", status, body["exc_type"], tc.status, tc.excType)
			}
			if names := s.Names("Sales Order"); len(names) != 1 || names[0] != first["name"] {
				t.Errorf("orders = %v, want only %v", names, first["name"])
			}
		})
	}
}

func TestSecondCustomerWithTheSameNameIsSuffixed(t *testing.T) {
	s := newSite(t, sim.Options{})
	if a, b := s.customer("Jane Doe"), s.customer("Jane Doe"); a != "Jane Doe" || b != "Jane Doe - 1" {
		t.Errorf("names = %q, %q; want \"Jane Doe\", \"Jane Doe - 1\"", a, b)
	}
}
