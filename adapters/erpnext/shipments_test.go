package erpnext_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext/sim"
)

func TestPartialDeliveriesAndTracking(t *testing.T) {
	e := newEnv(t)
	e.must(e.site.MoveStock("HD-BLK-M", stores, decimal.NewFromInt(5)))
	e.must(e.site.MoveStock("TEE-WHT-S", stores, decimal.NewFromInt(5)))
	c := e.customer("Jane Doe", "woo-cust-1")
	so, _, err := e.client.EnsureSalesOrder(ctx(t), storeOrder(c.Name, "woo-1"))
	e.must(err)

	notes, err := e.client.DeliveryNotesForSalesOrder(ctx(t), so.Name)
	e.must(err)
	if len(notes) != 0 {
		t.Fatalf("delivery notes before any delivery: %d", len(notes))
	}
	first, err := e.site.Deliver(sim.Delivery{SalesOrder: so.Name, Lines: []sim.DeliveryLine{{ItemCode: "HD-BLK-M", Qty: dec("1")}}, Carrier: "UPS", AWBNumber: "1Z001", TrackingURL: "https://ups.example/1Z001"})
	e.must(err)
	second, err := e.site.Deliver(sim.Delivery{SalesOrder: so.Name, Carrier: "DHL", AWBNumber: "JD002"})
	e.must(err)
	e.must(e.site.SetTrackingStatus(first.Shipment, "Delivered"))

	notes, err = e.client.DeliveryNotesForSalesOrder(ctx(t), so.Name)
	e.must(err)
	if len(notes) != 2 || notes[0].Name != first.DeliveryNote || notes[1].Name != second.DeliveryNote {
		t.Fatalf("delivery notes %+v", notes)
	}
	if l := notes[0].Items; len(l) != 1 || l[0].ItemCode != "HD-BLK-M" || !l[0].Qty.Equal(dec("1")) || l[0].AgainstSalesOrder != so.Name || l[0].SODetail == "" {
		t.Errorf("first delivery lines %+v", l)
	}
	if len(notes[1].Items) != 2 {
		t.Errorf("second delivery has %d lines, want the rest of both items", len(notes[1].Items))
	}

	shipments, err := e.client.ShipmentsForDeliveryNotes(ctx(t), []string{first.DeliveryNote, second.DeliveryNote})
	e.must(err)
	if len(shipments) != 2 {
		t.Fatalf("%d shipments, want 2", len(shipments))
	}
	s1 := shipments[0]
	if s1.Carrier != "UPS" || s1.AWBNumber != "1Z001" || s1.TrackingURL != "https://ups.example/1Z001" || s1.TrackingStatus != "Delivered" || s1.ShipmentDeliveryNote[0].DeliveryNote != first.DeliveryNote {
		t.Errorf("first shipment %+v", s1)
	}
	if shipments[1].AWBNumber != "JD002" || shipments[1].TrackingStatus != "In Progress" {
		t.Errorf("second shipment %+v", shipments[1])
	}
	done, err := e.client.GetSalesOrder(ctx(t), so.Name)
	e.must(err)
	if done.Status != "To Bill" || !done.PerDelivered.Equal(dec("100")) {
		t.Errorf("order after full delivery: %s, %s%% delivered", done.Status, done.PerDelivered)
	}
}
