package sim_test

import (
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

type binQty struct{ actual, reserved, projected string }

func (s *site) wantBin(item string, want binQty) {
	s.t.Helper()
	status, body := s.call("GET", "/api/resource/Bin", queryOf(
		"fields", `["actual_qty","reserved_qty","projected_qty","ordered_qty","indented_qty","planned_qty","reserved_qty_for_production","reserved_qty_for_sub_contract"]`,
		"filters", `[["item_code","=","`+item+`"],["warehouse","=","Stores - ACME"]]`,
	), nil)
	rows, _ := body["data"].([]any)
	if status != http.StatusOK || len(rows) != 1 {
		s.t.Fatalf("Bin of %s: HTTP %d %v", item, status, body)
	}
	b := rows[0].(map[string]any)
	t := s.t
	wantDecimal(t, item+" actual_qty", num(t, b["actual_qty"]), dec(want.actual))
	wantDecimal(t, item+" reserved_qty", num(t, b["reserved_qty"]), dec(want.reserved))
	wantDecimal(t, item+" projected_qty", num(t, b["projected_qty"]), dec(want.projected))
	formula := num(t, b["actual_qty"]).Add(num(t, b["ordered_qty"])).Add(num(t, b["indented_qty"])).Add(num(t, b["planned_qty"])).
		Sub(num(t, b["reserved_qty"])).Sub(num(t, b["reserved_qty_for_production"])).Sub(num(t, b["reserved_qty_for_sub_contract"]))
	wantDecimal(t, item+" projected_qty by the formula", num(t, b["projected_qty"]), formula)
}

func TestBinReservesOnOrderAndShipsOnDelivery(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.must(s.MoveStock("HD-BLK-M", "Stores - ACME", decimal.NewFromInt(10)))
	s.wantBin("HD-BLK-M", binQty{"10", "0", "10"})

	so := s.order(s.customer("Jane Doe"), "woo-7", line{"HD-BLK-M", 3, "40"}, line{"GIFT-WRAP", 1, "2"})
	s.wantBin("HD-BLK-M", binQty{"10", "3", "7"})

	shipped, err := s.Deliver(sim.Delivery{SalesOrder: so["name"].(string), Lines: []sim.DeliveryLine{{ItemCode: "HD-BLK-M", Qty: decimal.NewFromInt(2)}}, Carrier: "UPS", AWBNumber: "1Z999"})
	s.must(err)
	s.wantBin("HD-BLK-M", binQty{"8", "1", "7"})
	order, _ := s.Document("Sales Order", so["name"].(string))
	if order["status"] != "To Deliver and Bill" {
		t.Errorf("after a partial delivery the order is %v", order["status"])
	}

	_, err = s.Deliver(sim.Delivery{SalesOrder: so["name"].(string), Carrier: "UPS", AWBNumber: "1Z998"})
	s.must(err)
	s.wantBin("HD-BLK-M", binQty{"7", "0", "7"})
	order, _ = s.Document("Sales Order", so["name"].(string))
	if order["status"] != "To Bill" || num(t, order["per_delivered"]).Cmp(decimal.NewFromInt(100)) != 0 {
		t.Errorf("after full delivery: status %v per_delivered %v", order["status"], order["per_delivered"])
	}

	// A Delivery Note cannot be cancelled while its Shipment stands; the order cannot while either does.
	status, body := s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Delivery Note", "name": shipped.DeliveryNote})
	if status != http.StatusExpectationFailed || body["exc_type"] != "LinkExistsError" {
		t.Errorf("cancel a shipped Delivery Note: HTTP %d %v, want 417 LinkExistsError", status, body["exc_type"])
	}
	s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Shipment", "name": shipped.Shipment})
	status, _ = s.call("POST", "/api/method/frappe.client.cancel", nil, map[string]any{"doctype": "Delivery Note", "name": shipped.DeliveryNote})
	if status != http.StatusOK {
		t.Fatalf("cancel the Delivery Note after its Shipment: HTTP %d", status)
	}
	s.wantBin("HD-BLK-M", binQty{"9", "2", "7"})
}

func TestDeliveryBeyondStockIsNegativeStockError(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.must(s.MoveStock("TEE-WHT-S", "Stores - ACME", decimal.NewFromInt(1)))
	so := s.order(s.customer("Jane Doe"), "woo-8", line{"TEE-WHT-S", 2, "15"})
	_, err := s.Deliver(sim.Delivery{SalesOrder: so["name"].(string)})
	if err == nil || err.Error() != "NegativeStockError: 1 units of Item TEE-WHT-S needed in Warehouse Stores - ACME to complete this transaction." {
		t.Fatalf("delivering 2 of 1 in stock: %v", err)
	}
	s.wantBin("TEE-WHT-S", binQty{"1", "2", "-1"})
	if got := s.Names("Delivery Note"); len(got) != 0 {
		t.Errorf("a refused delivery left Delivery Notes %v", got)
	}
}

func TestOverDeliveryIsRefused(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.must(s.MoveStock("TEE-WHT-S", "Stores - ACME", decimal.NewFromInt(10)))
	so := s.order(s.customer("Jane Doe"), "woo-9", line{"TEE-WHT-S", 2, "15"})
	status, body := s.call("POST", "/api/resource/Delivery Note", nil, map[string]any{
		"customer": so["customer"], "docstatus": 1,
		"items": []map[string]any{{"item_code": "TEE-WHT-S", "qty": 3, "rate": "15", "warehouse": "Stores - ACME", "against_sales_order": so["name"]}},
	})
	if status != http.StatusExpectationFailed {
		t.Fatalf("delivering 3 of 2 ordered: HTTP %d %v", status, body)
	}
	s.wantBin("TEE-WHT-S", binQty{"10", "2", "8"})
}

func TestTrackingStatusChangesOnSubmittedShipment(t *testing.T) {
	s := newSite(t, sim.Options{})
	s.must(s.MoveStock("TEE-WHT-S", "Stores - ACME", decimal.NewFromInt(1)))
	so := s.order(s.customer("Jane Doe"), "woo-10", line{"TEE-WHT-S", 1, "15"})
	shipped, err := s.Deliver(sim.Delivery{SalesOrder: so["name"].(string), Carrier: "DHL", AWBNumber: "JD0001", TrackingURL: "https://dhl.example/JD0001"})
	s.must(err)
	s.must(s.SetTrackingStatus(shipped.Shipment, "Delivered"))
	ship, _ := s.Document("Shipment", shipped.Shipment)
	if ship["tracking_status"] != "Delivered" || ship["awb_number"] != "JD0001" {
		t.Errorf("shipment = %v", ship)
	}
	if err := s.SetTrackingStatus(shipped.Shipment, "Teleported"); err == nil {
		t.Error("an unknown tracking status was accepted")
	}
}
