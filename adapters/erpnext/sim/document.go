package sim

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// doc is a stored document in Frappe's own shape: a field map, child tables as []doc. Numbers are
// json.Number so that money never passes through float64 and is written back as a JSON number.
type doc map[string]any

func (d doc) str(field string) string {
	switch v := d[field].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// num reads a numeric field. Frappe accepts numbers and numeric strings for Float, Currency and Int
// fields (it casts them with flt/cint), so the simulator does too; anything else reads as zero and
// is caught by validateNumbers.
func (d doc) num(field string) decimal.Decimal {
	n, _ := toDecimal(d[field])
	return n
}

func (d doc) int(field string) int { return int(d.num(field).IntPart()) }

func (d doc) setNum(field string, v decimal.Decimal) { d[field] = jsonNum(v) }

func (d doc) setMoney(field string, v decimal.Decimal) { d.setNum(field, roundMoney(v)) }

func (d doc) rows(table string) []doc {
	rows, _ := d[table].([]doc)
	return rows
}

func toDecimal(v any) (decimal.Decimal, bool) {
	switch n := v.(type) {
	case nil:
		return decimal.Zero, true
	case json.Number:
		d, err := decimal.NewFromString(n.String())
		return d, err == nil
	case string:
		if strings.TrimSpace(n) == "" {
			return decimal.Zero, true
		}
		d, err := decimal.NewFromString(strings.TrimSpace(n))
		return d, err == nil
	case bool:
		if n {
			return decimal.NewFromInt(1), true
		}
		return decimal.Zero, true
	case int:
		return decimal.NewFromInt(int64(n)), true
	default:
		return decimal.Zero, false
	}
}

// roundMoney applies currency precision 2 with the rounding Frappe uses by default
// ("Banker's Rounding (legacy)" in System Settings: half to even).
func roundMoney(v decimal.Decimal) decimal.Decimal { return v.RoundBank(2) }

// clone deep-copies a document so callers never share maps with the store.
func (d doc) clone() doc {
	out := make(doc, len(d))
	for k, v := range d {
		if rows, ok := v.([]doc); ok {
			cp := make([]doc, len(rows))
			for i, r := range rows {
				cp[i] = r.clone()
			}
			out[k] = cp
			continue
		}
		out[k] = v
	}
	return out
}

// decodeDoc turns a request's JSON object into a doc, child tables (arrays of objects) included.
func decodeDoc(raw map[string]any) (doc, error) {
	d := doc{}
	for k, v := range raw {
		switch val := v.(type) {
		case []any:
			rows := make([]doc, 0, len(val))
			for i, r := range val {
				m, ok := r.(map[string]any)
				if !ok {
					return nil, validation("ValidationError", "Row %d of %s must be an object", i+1, k)
				}
				row, err := decodeDoc(m)
				if err != nil {
					return nil, err
				}
				rows = append(rows, row)
			}
			d[k] = rows
		case map[string]any:
			return nil, validation("ValidationError", "Field %s must not be an object", k)
		default:
			d[k] = val
		}
	}
	return d, nil
}

// project returns the listed fields of d, "*" meaning every scalar field, as frappe.get_list does.
func (d doc) project(fields []string) doc {
	out := doc{}
	for _, f := range fields {
		if f == "*" {
			for k, v := range d {
				if _, table := v.([]doc); !table {
					out[k] = v
				}
			}
			continue
		}
		out[f] = d[f]
	}
	return out
}

func jsonNum(v decimal.Decimal) json.Number { return json.Number(v.String()) }
