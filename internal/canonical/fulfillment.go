package canonical

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// FulfillmentState is where an ERP order stands in fulfilment, as the Fulfillment flow reports it
// to the store.
type FulfillmentState string

const (
	FulfillmentOnHold           FulfillmentState = "OnHold"
	FulfillmentPartiallyShipped FulfillmentState = "PartiallyShipped"
	// FulfillmentShipped means every ordered unit has shipped (see FulfillmentProgress.Complete).
	FulfillmentShipped   FulfillmentState = "Shipped"
	FulfillmentCancelled FulfillmentState = "Cancelled"
	// FulfillmentClosed is an order closed in the ERP without shipping the rest.
	FulfillmentClosed FulfillmentState = "Closed"
)

// Shipment is goods leaving the ERP's warehouse for one order; an order may ship in several parts.
type Shipment struct {
	// ERPID is the ERP's document name (ERPNext Delivery Note, Odoo stock.picking).
	ERPID string `json:"erpID"`
	// OrderStoreID is the store order the goods belong to.
	OrderStoreID string         `json:"orderStoreID"`
	Lines        []ShipmentLine `json:"lines"`
	Tracking     []Tracking     `json:"tracking,omitempty"`
	ShippedAt    time.Time      `json:"shippedAt"`
}

// ShipmentLine is a quantity of one SKU in a shipment.
type ShipmentLine struct {
	SKU      string          `json:"sku"`
	Quantity decimal.Decimal `json:"quantity"`
}

// Tracking is one parcel's tracking reference.
type Tracking struct {
	Carrier string `json:"carrier,omitempty"`
	Number  string `json:"number"`
	URL     string `json:"url,omitempty"`
}

// FulfillmentProgress is how much of an order has shipped.
type FulfillmentProgress struct {
	// Outstanding is the quantity still to ship per SKU; SKUs fully shipped are absent.
	Outstanding map[string]decimal.Decimal
}

// Complete reports whether every ordered unit has shipped: only then may the store order be completed.
func (p FulfillmentProgress) Complete() bool { return len(p.Outstanding) == 0 }

// Fulfillment compares the order's quantities with what the shipments carried. A shipment of a SKU
// that is not on the order, or more units than were ordered, is an error: the ERP and the store
// disagree about the order and a person must look.
func (o Order) Fulfillment(shipments []Shipment) (FulfillmentProgress, error) {
	outstanding := o.OrderedQuantities()
	var errs []error
	for _, s := range shipments {
		if s.OrderStoreID != o.StoreID {
			errs = append(errs, fmt.Errorf("shipment %s belongs to order %s, not %s", s.ERPID, s.OrderStoreID, o.StoreID))
			continue
		}
		for _, l := range s.Lines {
			left, ordered := outstanding[l.SKU]
			if !ordered {
				errs = append(errs, fmt.Errorf("shipment %s carries SKU %q, which order %s does not have", s.ERPID, l.SKU, o.StoreID))
				continue
			}
			outstanding[l.SKU] = left.Sub(l.Quantity)
		}
	}
	skus := make([]string, 0, len(outstanding))
	for sku := range outstanding {
		skus = append(skus, sku)
	}
	sort.Strings(skus) // stable error messages
	for _, sku := range skus {
		switch left := outstanding[sku]; left.Sign() {
		case 0:
			delete(outstanding, sku)
		case -1:
			errs = append(errs, fmt.Errorf("SKU %q shipped %s more than order %s has", sku, left.Neg(), o.StoreID))
			delete(outstanding, sku)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return FulfillmentProgress{}, err
	}
	return FulfillmentProgress{Outstanding: outstanding}, nil
}
