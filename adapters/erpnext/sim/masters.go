package sim

import (
	"strings"

	"github.com/shopspring/decimal"
)

func validateCustomer(d doc) error {
	if d.str("customer_type") == "" {
		d["customer_type"] = "Company"
	}
	switch d.str("customer_type") {
	case "Company", "Individual", "Partnership":
	default:
		return validation("ValidationError", "Customer Type cannot be %q. It should be one of \"Company\", \"Individual\", \"Partnership\"", d.str("customer_type"))
	}
	if d.str("customer_group") == "" {
		d["customer_group"] = "All Customer Groups"
	}
	if d.str("territory") == "" {
		d["territory"] = "All Territories"
	}
	d["customer_name"] = strings.TrimSpace(d.str("customer_name"))
	d[FieldStoreCustomerID] = strings.TrimSpace(d.str(FieldStoreCustomerID))
	return nil
}

func validateItem(d doc) error {
	if d.str("item_name") == "" {
		d["item_name"] = d["item_code"]
	}
	if d.str("stock_uom") == "" {
		d["stock_uom"] = "Nos"
	}
	for field, def := range map[string]int{"is_stock_item": 1, "has_variants": 0, "disabled": 0} {
		if _, ok := d[field]; !ok {
			d[field] = def
		}
	}
	if d.int("has_variants") != 0 && d.str("variant_of") != "" {
		return validation("ValidationError", "Item %s is a variant and cannot have variants", d.str("item_code"))
	}
	return nil
}

func (s *Server) validateItemPrice(d doc) error {
	if _, ok := toDecimal(d["price_list_rate"]); !ok {
		return validation("ValidationError", "Rate must be a number: %v", d["price_list_rate"])
	}
	d.setNum("price_list_rate", d.num("price_list_rate"))
	if d.str("currency") == "" {
		d["currency"] = s.opts.Currency
	}
	if item, ok := s.get("Item", d.str("item_code")); ok && d.str("uom") == "" {
		d["uom"] = item["stock_uom"]
	}
	d["selling"] = 1
	return nil
}

// priceListRate is the rate ERPNext fills in when a line carries none: the Item Price of the price
// list valid today (the latest valid_from wins).
func (s *Server) priceListRate(item, priceList string) (decimal.Decimal, bool) {
	today := s.today()
	var best doc
	for _, p := range s.docs["Item Price"] {
		if p.str("item_code") != item || p.str("price_list") != priceList {
			continue
		}
		if from := p.str("valid_from"); from != "" && from > today {
			continue
		}
		if upto := p.str("valid_upto"); upto != "" && upto < today {
			continue
		}
		if best == nil || p.str("valid_from") > best.str("valid_from") {
			best = p
		}
	}
	if best == nil {
		return decimal.Zero, false
	}
	return best.num("price_list_rate"), true
}

func (s *Server) isStockItem(code string) bool {
	item, ok := s.get("Item", code)
	return ok && item.int("is_stock_item") != 0
}
