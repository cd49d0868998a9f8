package sim

import (
	"net/http"

	"github.com/shopspring/decimal"
)

// The versions the simulator reports, as a site running them would.
const (
	FrappeVersion  = "15.51.0"
	ERPNextVersion = "15.49.2"
)

// Whitelisted methods the simulator answers under /api/method/.
const (
	MethodLoggedUser       = "frappe.auth.get_logged_user"
	MethodGetVersions      = "frappe.utils.change_log.get_versions"
	MethodSubmit           = "frappe.client.submit"
	MethodCancel           = "frappe.client.cancel"
	MethodMakeDeliveryNote = "erpnext.selling.doctype.sales_order.sales_order.make_delivery_note"
	MethodMakeSalesInvoice = "erpnext.selling.doctype.sales_order.sales_order.make_sales_invoice"
	MethodMakeSalesReturn  = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_sales_return"
	// MethodMakeInvoiceFromDelivery maps a Delivery Note to an invoice draft (invoicing per shipment).
	MethodMakeInvoiceFromDelivery = "erpnext.stock.doctype.delivery_note.delivery_note.make_sales_invoice"
)

func (s *Server) handleMethod(r *http.Request) (int, string, any, error) {
	args, err := readArgs(r)
	if err != nil {
		return 0, "", nil, err
	}
	str := func(k string) string { v, _ := args[k].(string); return v }
	var out any
	switch method := r.PathValue("method"); method {
	case MethodLoggedUser:
		out = "Administrator"
	case MethodGetVersions:
		out = map[string]any{
			"frappe":  map[string]string{"title": "Frappe Framework", "version": FrappeVersion},
			"erpnext": map[string]string{"title": "ERPNext", "version": ERPNextVersion},
		}
	case MethodSubmit:
		out, err = s.clientSubmit(args["doc"])
	case MethodCancel:
		if _, err = s.cancel(str("doctype"), str("name")); err == nil {
			out = "ok"
		}
	case MethodMakeDeliveryNote:
		out, err = s.mapSalesOrder(str("source_name"), "Delivery Note")
	case MethodMakeSalesInvoice:
		out, err = s.mapSalesOrder(str("source_name"), "Sales Invoice")
	case MethodMakeInvoiceFromDelivery:
		out, err = s.mapDeliveryNote(str("source_name"))
	case MethodMakeSalesReturn:
		out, err = s.makeSalesReturn(str("source_name"))
	default:
		err = newError(http.StatusNotFound, "DoesNotExistError", "Method %s not found", method)
	}
	if err != nil {
		return 0, "", nil, err
	}
	return http.StatusOK, "message", out, nil
}

// clientSubmit is frappe.client.submit: save the given document with docstatus 1, inserting it when
// it has no name yet.
func (s *Server) clientSubmit(raw any) (doc, error) {
	var obj map[string]any
	switch v := raw.(type) {
	case map[string]any:
		obj = v
	case string:
		var err error
		if obj, err = decodeObject(v); err != nil {
			return nil, err
		}
	default:
		return nil, mandatory("frappe.client.submit", "doc")
	}
	d, err := decodeDoc(obj)
	if err != nil {
		return nil, err
	}
	doctype, name := d.str("doctype"), d.str("name")
	d["docstatus"] = 1
	var out doc
	if _, exists := s.get(doctype, name); exists {
		out, err = s.update(doctype, name, d)
	} else {
		out, err = s.insert(doctype, d)
	}
	if err != nil {
		return nil, err
	}
	return out.clone(), nil
}

// mapSalesOrder is ERPNext's get_mapped_doc for make_delivery_note and make_sales_invoice: an
// unsaved document with the order's open quantity (not yet delivered) or open amount (not yet
// billed) per line, linked back to the order lines.
func (s *Server) mapSalesOrder(name, target string) (doc, error) {
	so, ok := s.get("Sales Order", name)
	if !ok {
		return nil, notFound("Sales Order", name)
	}
	if so.int("docstatus") != 1 {
		return nil, validation("ValidationError", "Sales Order %s must be submitted", name)
	}
	out := doc{"doctype": target, "customer": so["customer"], "company": so["company"], "currency": so["currency"], "selling_price_list": so["selling_price_list"], "docstatus": 0}
	var rows []any
	for _, line := range so.rows("items") {
		row := map[string]any{"item_code": line["item_code"], "item_name": line["item_name"], "rate": line["rate"], "uom": line["uom"], "warehouse": line["warehouse"]}
		var qty decimal.Decimal
		if target == "Delivery Note" {
			qty = line.num("qty").Sub(line.num("delivered_qty"))
			row["against_sales_order"], row["so_detail"] = name, line["name"]
		} else {
			open := line.num("amount").Sub(line.num("billed_amt"))
			if rate := line.num("rate"); !rate.IsZero() {
				qty = open.Div(rate).Round(6)
			}
			row["sales_order"], row["so_detail"] = name, line["name"]
		}
		if !qty.IsPositive() {
			continue
		}
		row["qty"] = jsonNum(qty)
		rows = append(rows, row)
	}
	if target == "Sales Invoice" {
		var taxes []any
		for _, t := range so.rows("taxes") {
			taxes = append(taxes, map[string]any{"charge_type": t["charge_type"], "account_head": t["account_head"], "rate": t["rate"], "tax_amount": t["tax_amount"], "description": t["description"]})
		}
		out["taxes"] = taxes
		out["discount_amount"] = so["discount_amount"]
	}
	out["items"] = rows
	return out, nil
}

// mapDeliveryNote is the Delivery Note's make_sales_invoice: an invoice draft for the shipped lines,
// each linked to its delivery line and, through it, to the order line it bills. Charges are left to
// the caller, who decides how shipping and tax are split across shipments.
func (s *Server) mapDeliveryNote(name string) (doc, error) {
	dn, ok := s.get("Delivery Note", name)
	if !ok {
		return nil, notFound("Delivery Note", name)
	}
	if dn.int("docstatus") != 1 {
		return nil, validation("ValidationError", "Delivery Note %s must be submitted", name)
	}
	out := doc{"doctype": "Sales Invoice", "customer": dn["customer"], "company": dn["company"], "currency": dn["currency"], "docstatus": 0}
	var rows []any
	for _, line := range dn.rows("items") {
		rows = append(rows, map[string]any{
			"item_code": line["item_code"], "qty": line["qty"], "rate": line["rate"], "warehouse": line["warehouse"],
			"delivery_note": name, "dn_detail": line["name"], "sales_order": line["against_sales_order"], "so_detail": line["so_detail"],
		})
	}
	out["items"] = rows
	return out, nil
}

// makeSalesReturn is make_sales_return: a credit note draft with every line and charge negated.
func (s *Server) makeSalesReturn(name string) (doc, error) {
	inv, ok := s.get("Sales Invoice", name)
	if !ok {
		return nil, notFound("Sales Invoice", name)
	}
	if inv.int("docstatus") != 1 || inv.int("is_return") != 0 {
		return nil, validation("ValidationError", "Sales Invoice %s must be a submitted invoice", name)
	}
	out := doc{"doctype": "Sales Invoice", "is_return": 1, "return_against": name, "customer": inv["customer"], "company": inv["company"], "currency": inv["currency"], "debit_to": inv["debit_to"], "docstatus": 0}
	var rows, taxes []any
	for _, line := range inv.rows("items") {
		rows = append(rows, map[string]any{"item_code": line["item_code"], "qty": jsonNum(line.num("qty").Neg()), "rate": line["rate"], "income_account": line["income_account"], "warehouse": line["warehouse"]})
	}
	for _, t := range inv.rows("taxes") {
		taxes = append(taxes, map[string]any{"charge_type": t["charge_type"], "account_head": t["account_head"], "rate": t["rate"], "tax_amount": jsonNum(t.num("tax_amount").Neg()), "description": t["description"]})
	}
	out["items"], out["taxes"] = rows, taxes
	out["discount_amount"] = jsonNum(inv.num("discount_amount").Neg())
	if acc := inv.str("additional_discount_account"); acc != "" {
		out["additional_discount_account"] = acc
	}
	return out, nil
}
