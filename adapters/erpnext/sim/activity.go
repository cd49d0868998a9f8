package sim

import (
	"encoding/json"
	"sort"

	"github.com/shopspring/decimal"
)

// ItemSpec describes an Item to create on the site.
type ItemSpec struct {
	Code     string `json:"item_code"`
	Name     string `json:"item_name"`
	Group    string `json:"item_group"`
	StockUOM string `json:"stock_uom"`
	NonStock bool   `json:"non_stock"`
}

// AddItem creates an Item as a user of the site would.
func (s *Server) AddItem(spec ItemSpec) error {
	d := doc{"item_code": spec.Code, "item_name": spec.Name, "item_group": spec.Group, "stock_uom": spec.StockUOM, "is_stock_item": 1}
	if spec.Group == "" {
		d["item_group"] = "Products"
	}
	if spec.NonStock {
		d["is_stock_item"] = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.insert("Item", d)
	return err
}

// AddAccount adds a ledger account by its full name ("Sales Tax CA - ACME") and type ("Tax",
// "Bank", "Income Account", ...).
func (s *Server) AddAccount(name, accountType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.get("Account", name); !ok {
		s.addAccount(name, accountType)
	}
}

// AddWarehouse adds a warehouse by its full name ("East - ACME").
func (s *Server) AddWarehouse(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.get("Warehouse", name); !ok {
		s.addWarehouse(name)
	}
}

// MoveStock is a Stock Entry: a Material Receipt (qty > 0) or Material Issue (qty < 0) of an item in
// a warehouse. Like ERPNext without "allow negative stock", it refuses to take actual_qty below zero.
func (s *Server) MoveStock(item, warehouse string, qty decimal.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isStockItem(item) {
		return linkMissing("Item", item)
	}
	if _, ok := s.get("Warehouse", warehouse); !ok {
		return linkMissing("Warehouse", warehouse)
	}
	if have := s.bin(item, warehouse).num("actual_qty"); have.Add(qty).IsNegative() {
		return validation("NegativeStockError", "%s units of Item %s needed in Warehouse %s to complete this transaction.", qty.Neg().Sub(have), item, warehouse)
	}
	s.moveBin(item, warehouse, qty, decimal.Zero)
	return nil
}

// SetPrice sets the rate of an item on a price list, updating its Item Price or creating one.
func (s *Server) SetPrice(item, priceList string, rate decimal.Decimal) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, p := range s.docs["Item Price"] {
		if p.str("item_code") == item && p.str("price_list") == priceList {
			_, err := s.update("Item Price", name, doc{"price_list_rate": jsonNum(rate)})
			return name, err
		}
	}
	d, err := s.insert("Item Price", doc{"item_code": item, "price_list": priceList, "price_list_rate": jsonNum(rate)})
	if err != nil {
		return "", err
	}
	return d.str("name"), nil
}

// Delivery asks the site to ship (part of) a Sales Order.
type Delivery struct {
	SalesOrder  string         `json:"sales_order"`
	Lines       []DeliveryLine `json:"items"` // empty: everything still open
	Carrier     string         `json:"carrier"`
	AWBNumber   string         `json:"awb_number"`
	TrackingURL string         `json:"tracking_url"`
}

// DeliveryLine is a quantity of one item to ship.
type DeliveryLine struct {
	ItemCode string          `json:"item_code"`
	Qty      decimal.Decimal `json:"qty"`
}

// Shipped names the documents a delivery created.
type Shipped struct {
	DeliveryNote string `json:"delivery_note"`
	Shipment     string `json:"shipment"`
}

// Deliver does what a warehouse clerk does: make a Delivery Note from the order, submit it, and book
// a Shipment with the carrier's tracking for it. With Lines it ships only those quantities (a
// partial delivery).
func (s *Server) Deliver(d Delivery) (Shipped, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dn, err := s.mapSalesOrder(d.SalesOrder, "Delivery Note")
	if err != nil {
		return Shipped{}, err
	}
	if len(d.Lines) > 0 {
		want := map[string]decimal.Decimal{}
		for _, l := range d.Lines {
			want[l.ItemCode] = want[l.ItemCode].Add(l.Qty)
		}
		var rows []any
		for _, r := range dn["items"].([]any) {
			row := r.(map[string]any)
			code, _ := row["item_code"].(string)
			if q := want[code]; q.IsPositive() {
				row["qty"] = jsonNum(q)
				rows = append(rows, row)
				delete(want, code)
			}
		}
		for code := range want {
			return Shipped{}, validation("ValidationError", "Item %s has no open quantity on Sales Order %s", code, d.SalesOrder)
		}
		dn["items"] = rows
	}
	raw, _ := json.Marshal(dn)
	obj, err := decodeObject(string(raw))
	if err != nil {
		return Shipped{}, err
	}
	note, err := decodeDoc(obj)
	if err != nil {
		return Shipped{}, err
	}
	note["docstatus"] = 1
	if note, err = s.insert("Delivery Note", note); err != nil {
		return Shipped{}, err
	}
	ship, err := s.insert("Shipment", doc{
		"docstatus": 1, "carrier": d.Carrier, "awb_number": d.AWBNumber, "tracking_url": d.TrackingURL,
		"tracking_status":        "In Progress",
		"shipment_delivery_note": []doc{{"delivery_note": note.str("name")}},
	})
	if err != nil {
		return Shipped{}, err
	}
	return Shipped{DeliveryNote: note.str("name"), Shipment: ship.str("name")}, nil
}

// SetTrackingStatus records the carrier's news on a submitted Shipment (an allow_on_submit field).
func (s *Server) SetTrackingStatus(shipment, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.update("Shipment", shipment, doc{"tracking_status": status})
	return err
}

// Deny makes the API user lack permission on a doctype (403), or restores it.
func (s *Server) Deny(doctype string, denied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[doctype] = denied
}

// Document returns a copy of a stored document in its JSON shape.
func (s *Server) Document(doctype, name string) (map[string]any, bool) {
	s.mu.Lock()
	d, ok := s.get(doctype, name)
	if ok {
		d = d.clone()
	}
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	raw, _ := json.Marshal(d)
	obj, _ := decodeObject(string(raw))
	return obj, true
}

// Names returns the names of a doctype's documents, sorted.
func (s *Server) Names(doctype string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.docs[doctype]))
	for n := range s.docs[doctype] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
