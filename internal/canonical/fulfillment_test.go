package canonical

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestFulfillmentCompleteOnlyWhenEveryUnitShipped(t *testing.T) {
	o := sampleOrder(t) // 2 x HOODIE-BLK-M, 1 x MUG-WHT
	first := Shipment{ERPID: "DN-1", OrderStoreID: "1042", Lines: []ShipmentLine{{SKU: "HOODIE-BLK-M", Quantity: decimal.NewFromInt(1)}}}
	second := Shipment{ERPID: "DN-2", OrderStoreID: "1042", Lines: []ShipmentLine{
		{SKU: "HOODIE-BLK-M", Quantity: decimal.NewFromInt(1)}, {SKU: "MUG-WHT", Quantity: decimal.NewFromInt(1)}}}

	p, err := o.Fulfillment([]Shipment{first})
	if err != nil {
		t.Fatal(err)
	}
	if p.Complete() {
		t.Error("partial shipment reported complete")
	}
	if !p.Outstanding["HOODIE-BLK-M"].Equal(decimal.NewFromInt(1)) || !p.Outstanding["MUG-WHT"].Equal(decimal.NewFromInt(1)) {
		t.Errorf("Outstanding = %v, want 1 hoodie and 1 mug", p.Outstanding)
	}

	p, err = o.Fulfillment([]Shipment{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Complete() {
		t.Errorf("all shipped but Outstanding = %v", p.Outstanding)
	}
}

func TestFulfillmentRefusesShipmentsTheOrderDoesNotHave(t *testing.T) {
	o := sampleOrder(t)
	for _, tc := range []struct {
		name string
		s    Shipment
		want string
	}{
		{"too many", Shipment{ERPID: "DN-1", OrderStoreID: "1042", Lines: []ShipmentLine{{SKU: "MUG-WHT", Quantity: decimal.NewFromInt(2)}}},
			`SKU "MUG-WHT" shipped 1 more than order 1042 has`},
		{"unknown SKU", Shipment{ERPID: "DN-1", OrderStoreID: "1042", Lines: []ShipmentLine{{SKU: "CAP-RED", Quantity: decimal.NewFromInt(1)}}},
			`shipment DN-1 carries SKU "CAP-RED", which order 1042 does not have`},
		{"other order", Shipment{ERPID: "DN-9", OrderStoreID: "77"}, "shipment DN-9 belongs to order 77, not 1042"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := o.Fulfillment([]Shipment{tc.s})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Fulfillment() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
