package sim

import "github.com/shopspring/decimal"

// computeTotals fills the line amounts and document totals of a selling document as ERPNext's
// taxes_and_totals does for the charges the simulator models: amount = qty x rate at currency
// precision; taxes "Actual" (a fixed tax_amount) or "On Net Total" (rate percent of the net total);
// grand_total = net_total + taxes - discount_amount. Rounded totals are disabled (rounded_total =
// grand_total). returns says quantities must be negative (a credit note), otherwise positive.
func (s *Server) computeTotals(doctype string, d doc, returns bool) error {
	items := d.rows("items")
	if len(items) == 0 {
		return mandatory(doctype, "Items")
	}
	if d.str("company") == "" {
		d["company"] = s.opts.Company
	}
	if d.str("currency") == "" {
		d["currency"] = s.opts.Currency
	}
	if d.str("selling_price_list") == "" {
		d["selling_price_list"] = "Standard Selling"
	}
	d["conversion_rate"] = 1
	net := decimal.Zero
	for i, row := range items {
		code := row.str("item_code")
		if code == "" {
			return validation("MandatoryError", "Row #%d: Item Code is mandatory", i+1)
		}
		item, ok := s.get("Item", code)
		if !ok {
			return linkMissing("Item", code)
		}
		if item.int("disabled") != 0 {
			return validation("ValidationError", "Item %s is disabled", code)
		}
		if err := checkNumbers(row, i+1, "qty", "rate"); err != nil {
			return err
		}
		qty := row.num("qty")
		switch {
		case returns && !qty.IsNegative():
			return validation("ValidationError", "Row #%d: Quantity for a return must be negative, not %s", i+1, qty)
		case !returns && !qty.IsPositive():
			return validation("ValidationError", "Row #%d: Qty must be greater than 0 for Item %s", i+1, code)
		}
		if row["rate"] == nil {
			rate, _ := s.priceListRate(code, d.str("selling_price_list"))
			row.setNum("rate", rate)
		}
		if row.str("item_name") == "" {
			row["item_name"] = item["item_name"]
		}
		if row.str("uom") == "" {
			row["uom"] = item["stock_uom"]
		}
		if row.str("warehouse") == "" && d.str("set_warehouse") != "" {
			row["warehouse"] = d["set_warehouse"]
		}
		if wh := row.str("warehouse"); wh != "" {
			if _, ok := s.get("Warehouse", wh); !ok {
				return linkMissing("Warehouse", wh)
			}
		}
		amount := roundMoney(qty.Mul(row.num("rate")))
		row.setMoney("amount", amount)
		row.setMoney("net_amount", amount)
		net = net.Add(amount)
	}
	total := net
	for i, tax := range d.rows("taxes") {
		if err := checkNumbers(tax, i+1, "tax_amount", "rate"); err != nil {
			return err
		}
		account := tax.str("account_head")
		if account == "" {
			return validation("MandatoryError", "Row #%d: Account Head is mandatory in Sales Taxes and Charges", i+1)
		}
		if _, ok := s.get("Account", account); !ok {
			return linkMissing("Account", account)
		}
		var amount decimal.Decimal
		switch tax.str("charge_type") {
		case "Actual":
			amount = roundMoney(tax.num("tax_amount"))
		case "On Net Total":
			amount = roundMoney(net.Mul(tax.num("rate")).Div(decimal.NewFromInt(100)))
		default:
			return validation("ValidationError", "Row #%d: Charge Type %q is not modelled by the simulator (use Actual or On Net Total)", i+1, tax.str("charge_type"))
		}
		tax.setMoney("tax_amount", amount)
		total = total.Add(amount)
		tax.setMoney("total", total)
	}
	if err := checkNumbers(d, 0, "discount_amount"); err != nil {
		return err
	}
	discount := roundMoney(d.num("discount_amount"))
	d.setMoney("net_total", net)
	d.setMoney("total", net)
	d.setMoney("total_taxes_and_charges", total.Sub(net))
	d.setMoney("discount_amount", discount)
	d.setMoney("grand_total", total.Sub(discount))
	d.setMoney("rounded_total", total.Sub(discount))
	d.setMoney("base_grand_total", total.Sub(discount))
	return nil
}

// checkNumbers refuses fields that are present but not numbers, as Frappe's flt would silently
// read them as zero: the simulator is stricter so that a client bug shows.
func checkNumbers(d doc, row int, fields ...string) error {
	for _, f := range fields {
		if _, ok := toDecimal(d[f]); !ok {
			if row > 0 {
				return validation("ValidationError", "Row #%d: %s must be a number, not %v", row, f, d[f])
			}
			return validation("ValidationError", "%s must be a number, not %v", f, d[f])
		}
	}
	return nil
}
