package sim

import (
	"strings"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

func (s *Server) validateSalesOrder(d doc) error {
	if d.str("transaction_date") == "" {
		d["transaction_date"] = s.today()
	}
	if d.str("delivery_date") == "" {
		d["delivery_date"] = d["transaction_date"]
	}
	d[FieldExternalOrderID] = strings.TrimSpace(d.str(FieldExternalOrderID))
	if err := s.computeTotals("Sales Order", d, false); err != nil {
		return err
	}
	for _, row := range d.rows("items") {
		if row.str("delivery_date") == "" {
			row["delivery_date"] = d["delivery_date"]
		}
		if _, ok := row["delivered_qty"]; !ok {
			row.setNum("delivered_qty", decimal.Zero)
			row.setNum("billed_amt", decimal.Zero)
		}
	}
	d["status"] = "Draft"
	return nil
}

// submitSalesOrder reserves every stock line in its warehouse: Bin.reserved_qty grows by the
// ordered quantity, and projected_qty falls with it.
func (s *Server) submitSalesOrder(d doc) error {
	for i, row := range d.rows("items") {
		if s.isStockItem(row.str("item_code")) && row.str("warehouse") == "" {
			return validation("ValidationError", "Row #%d: Delivery warehouse required for stock item %s", i+1, row.str("item_code"))
		}
	}
	for _, row := range d.rows("items") {
		if s.isStockItem(row.str("item_code")) {
			s.moveBin(row.str("item_code"), row.str("warehouse"), decimal.Zero, row.num("qty"))
		}
	}
	s.refreshSalesOrderStatus(d)
	return nil
}

func (s *Server) cancelSalesOrder(d doc) error {
	if err := s.refuseIfLinked("Sales Order", d.str("name"), "Delivery Note", "items", "against_sales_order"); err != nil {
		return err
	}
	if err := s.refuseIfLinked("Sales Order", d.str("name"), "Sales Invoice", "items", "sales_order"); err != nil {
		return err
	}
	for _, row := range d.rows("items") {
		if s.isStockItem(row.str("item_code")) {
			open := decimal.Max(row.num("qty").Sub(row.num("delivered_qty")), decimal.Zero)
			s.moveBin(row.str("item_code"), row.str("warehouse"), decimal.Zero, open.Neg())
		}
	}
	return nil
}

// refuseIfLinked is Frappe's check_no_back_links_exist: a document cannot be cancelled while a
// submitted document of another type still points at it.
func (s *Server) refuseIfLinked(doctype, name, linkedType, table, field string) error {
	for _, other := range s.docs[linkedType] {
		if other.int("docstatus") != 1 {
			continue
		}
		hit := other.str(field) == name
		for _, row := range other.rows(table) {
			hit = hit || row.str(field) == name
		}
		if hit {
			return validation("LinkExistsError", "Cannot delete or cancel because %s %s is linked with %s %s", doctype, name, linkedType, other.str("name"))
		}
	}
	return nil
}

// refreshSalesOrderStatus recomputes per_delivered, per_billed and status from the lines.
func (s *Server) refreshSalesOrderStatus(so doc) {
	ordered, delivered, billed := decimal.Zero, decimal.Zero, decimal.Zero
	for _, row := range so.rows("items") {
		ordered = ordered.Add(row.num("qty"))
		delivered = delivered.Add(decimal.Min(row.num("delivered_qty"), row.num("qty")))
		billed = billed.Add(row.num("billed_amt"))
	}
	perDelivered, perBilled := decimal.Zero, decimal.Zero
	if ordered.IsPositive() {
		perDelivered = delivered.Mul(hundred).Div(ordered).Round(2)
	}
	if net := so.num("net_total"); net.IsPositive() {
		perBilled = decimal.Min(billed.Mul(hundred).Div(net).Round(2), hundred)
	}
	so.setNum("per_delivered", perDelivered)
	so.setNum("per_billed", perBilled)
	full := perDelivered.GreaterThanOrEqual(hundred)
	paid := perBilled.GreaterThanOrEqual(hundred)
	switch {
	case so.int("docstatus") == 2:
		so["status"] = "Cancelled"
	case full && paid:
		so["status"] = "Completed"
	case full:
		so["status"] = "To Bill"
	case paid:
		so["status"] = "To Deliver"
	default:
		so["status"] = "To Deliver and Bill"
	}
	s.touch(so)
}

func (s *Server) validateDeliveryNote(d doc) error {
	if d.str("posting_date") == "" {
		d["posting_date"] = s.today()
	}
	if err := s.computeTotals("Delivery Note", d, false); err != nil {
		return err
	}
	for i, row := range d.rows("items") {
		if s.isStockItem(row.str("item_code")) && row.str("warehouse") == "" {
			return validation("ValidationError", "Row #%d: Warehouse is mandatory for stock Item %s", i+1, row.str("item_code"))
		}
		if row.str("against_sales_order") != "" {
			if _, err := s.salesOrderLine(d, row, i+1); err != nil {
				return err
			}
		}
	}
	d["status"] = "Draft"
	return nil
}

// salesOrderLine finds the Sales Order line a delivery or invoice line bills or ships
// (so_detail), checking the order is submitted and belongs to the same customer.
func (s *Server) salesOrderLine(d doc, row doc, idx int) (doc, error) {
	soName := row.str("against_sales_order")
	if soName == "" {
		soName = row.str("sales_order")
	}
	so, ok := s.get("Sales Order", soName)
	if !ok {
		return nil, linkMissing("Sales Order", soName)
	}
	if so.int("docstatus") != 1 {
		return nil, validation("ValidationError", "Row #%d: Sales Order %s is not submitted", idx, soName)
	}
	if so.str("customer") != d.str("customer") {
		return nil, validation("ValidationError", "Row #%d: Sales Order %s belongs to customer %s, not %s", idx, soName, so.str("customer"), d.str("customer"))
	}
	for _, line := range so.rows("items") {
		if line.str("name") == row.str("so_detail") || (row.str("so_detail") == "" && line.str("item_code") == row.str("item_code")) {
			row["so_detail"] = line["name"]
			return line, nil
		}
	}
	return nil, validation("ValidationError", "Row #%d: Item %s is not on Sales Order %s", idx, row.str("item_code"), soName)
}

// submitDeliveryNote ships stock: it refuses to drive a Bin negative (NegativeStockError) or to
// deliver more than was ordered, then takes the quantity out of actual_qty, releases the order's
// reservation and records delivered_qty on the order lines.
func (s *Server) submitDeliveryNote(d doc) error {
	need := map[[2]string]decimal.Decimal{}
	perLine := map[string]decimal.Decimal{}
	lines := map[string]doc{}
	for i, row := range d.rows("items") {
		if s.isStockItem(row.str("item_code")) {
			k := [2]string{row.str("item_code"), row.str("warehouse")}
			need[k] = need[k].Add(row.num("qty"))
		}
		if row.str("against_sales_order") != "" {
			line, err := s.salesOrderLine(d, row, i+1)
			if err != nil {
				return err
			}
			lines[line.str("name")] = line
			perLine[line.str("name")] = perLine[line.str("name")].Add(row.num("qty"))
		}
	}
	for k, qty := range need {
		if have := s.bin(k[0], k[1]).num("actual_qty"); have.LessThan(qty) {
			return validation("NegativeStockError", "%s units of Item %s needed in Warehouse %s to complete this transaction.", qty.Sub(have), k[0], k[1])
		}
	}
	for name, qty := range perLine {
		line := lines[name]
		if line.num("delivered_qty").Add(qty).GreaterThan(line.num("qty")) {
			return validation("ValidationError", "This document is over limit by Qty %s for Item %s. Are you making another Delivery Note against the same Sales Order Item?", line.num("delivered_qty").Add(qty).Sub(line.num("qty")), line.str("item_code"))
		}
	}
	s.applyDelivery(d, decimal.NewFromInt(1))
	d["status"] = "To Bill"
	return nil
}

func (s *Server) cancelDeliveryNote(d doc) error {
	if err := s.refuseIfLinked("Delivery Note", d.str("name"), "Shipment", "shipment_delivery_note", "delivery_note"); err != nil {
		return err
	}
	s.applyDelivery(d, decimal.NewFromInt(-1))
	return nil
}

// applyDelivery moves stock and order lines for a delivery (sign 1) or its cancellation (-1).
func (s *Server) applyDelivery(d doc, sign decimal.Decimal) {
	orders := map[string]doc{}
	for _, row := range d.rows("items") {
		qty := row.num("qty").Mul(sign)
		stock := s.isStockItem(row.str("item_code"))
		if stock {
			s.moveBin(row.str("item_code"), row.str("warehouse"), qty.Neg(), decimal.Zero)
		}
		so, ok := s.get("Sales Order", row.str("against_sales_order"))
		if !ok {
			continue
		}
		for _, line := range so.rows("items") {
			if line.str("name") == row.str("so_detail") {
				line.setNum("delivered_qty", line.num("delivered_qty").Add(qty))
				if stock {
					s.moveBin(line.str("item_code"), line.str("warehouse"), decimal.Zero, qty.Neg())
				}
			}
		}
		orders[so.str("name")] = so
	}
	for _, so := range orders {
		s.refreshSalesOrderStatus(so)
	}
}

var trackingStatuses = map[string]bool{"": true, "In Progress": true, "Delivered": true, "Returned": true, "Lost": true}

func validateTrackingStatus(d doc) error {
	if !trackingStatuses[d.str("tracking_status")] {
		return validation("ValidationError", "Tracking Status cannot be %q. It should be one of \"In Progress\", \"Delivered\", \"Returned\", \"Lost\"", d.str("tracking_status"))
	}
	return nil
}

func (s *Server) validateShipment(d doc) error {
	notes := d.rows("shipment_delivery_note")
	if len(notes) == 0 {
		return mandatory("Shipment", "Shipment Delivery Note")
	}
	for i, row := range notes {
		dn, ok := s.get("Delivery Note", row.str("delivery_note"))
		if !ok {
			return linkMissing("Delivery Note", row.str("delivery_note"))
		}
		if dn.int("docstatus") != 1 {
			return validation("ValidationError", "Row #%d: Delivery Note %s is not submitted", i+1, dn.str("name"))
		}
		row["grand_total"] = dn["grand_total"]
	}
	if err := validateTrackingStatus(d); err != nil {
		return err
	}
	if d.str("pickup_date") == "" {
		d["pickup_date"] = s.today()
	}
	return nil
}
