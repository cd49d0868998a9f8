package sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// condition is one parsed list filter. table is set when the filter names a child doctype
// ([["Delivery Note Item", "against_sales_order", "=", "SAL-ORD-..."]]): a document matches when
// any row of that table matches.
type condition struct {
	table string
	field string
	op    string
	value any
}

// parseFilters reads Frappe's filter forms: a list of [field, op, value] or [doctype, field, op,
// value], or an object {field: value} / {field: [op, value]}.
func parseFilters(dt *docType, raw string) ([]condition, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, validation("ValidationError", "filters must be JSON: %v", err)
	}
	var out []condition
	switch f := v.(type) {
	case []any:
		for _, item := range f {
			parts, ok := item.([]any)
			if !ok {
				return nil, validation("ValidationError", "each filter must be a list, got %v", item)
			}
			c, err := conditionFromList(dt, parts)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	case map[string]any:
		for field, val := range f {
			c := condition{field: field, op: "=", value: val}
			if pair, ok := val.([]any); ok && len(pair) == 2 {
				op, _ := pair[0].(string)
				c.op, c.value = strings.ToLower(op), pair[1]
			}
			out = append(out, c)
		}
	default:
		return nil, validation("ValidationError", "filters must be a list or an object")
	}
	for _, c := range out {
		if !knownOperator(c.op) {
			return nil, validation("ValidationError", "Operator must be one of =, !=, >, >=, <, <=, like, not like, in, not in, is: %s", c.op)
		}
	}
	return out, nil
}

func conditionFromList(dt *docType, parts []any) (condition, error) {
	str := func(v any) string { s, _ := v.(string); return s }
	switch len(parts) {
	case 2:
		return condition{field: str(parts[0]), op: "=", value: parts[1]}, nil
	case 3:
		return condition{field: str(parts[0]), op: strings.ToLower(str(parts[1])), value: parts[2]}, nil
	case 4:
		c := condition{field: str(parts[1]), op: strings.ToLower(str(parts[2])), value: parts[3]}
		if child := str(parts[0]); child != dt.name {
			table, ok := dt.tableFor(child)
			if !ok {
				return c, validation("ValidationError", "%s is not a child table of %s", child, dt.name)
			}
			c.table = table
		}
		return c, nil
	default:
		return condition{}, validation("ValidationError", "a filter has 3 or 4 elements, got %d", len(parts))
	}
}

func knownOperator(op string) bool {
	switch op {
	case "=", "!=", ">", ">=", "<", "<=", "like", "not like", "in", "not in", "is":
		return true
	}
	return false
}

func (c condition) matches(d doc) bool {
	if c.table == "" {
		return c.matchValue(d[c.field])
	}
	for _, row := range d.rows(c.table) {
		if c.matchValue(row[c.field]) {
			return true
		}
	}
	return false
}

func (c condition) matchValue(have any) bool {
	switch c.op {
	case "=":
		return compare(have, c.value) == 0
	case "!=":
		return compare(have, c.value) != 0
	case ">":
		return compare(have, c.value) > 0
	case ">=":
		return compare(have, c.value) >= 0
	case "<":
		return compare(have, c.value) < 0
	case "<=":
		return compare(have, c.value) <= 0
	case "like", "not like":
		return likeMatch(fmt.Sprint(nonNil(have)), fmt.Sprint(nonNil(c.value))) == (c.op == "like")
	case "in", "not in":
		found := slices.ContainsFunc(listValue(c.value), func(v any) bool { return compare(have, v) == 0 })
		return found == (c.op == "in")
	case "is":
		set := have != nil && fmt.Sprint(have) != ""
		return set == (fmt.Sprint(c.value) == "set")
	}
	return false
}

func nonNil(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func listValue(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case string:
		var out []any
		for _, s := range strings.Split(l, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	return []any{v}
}

// compare orders two field values: numerically when both read as numbers, else as strings, which
// is right for Frappe's fixed-width dates and datetimes.
func compare(a, b any) int {
	sa, aStr := a.(string)
	if sb, bStr := b.(string); aStr && bStr {
		return strings.Compare(sa, sb)
	}
	if !aStr {
		if da, ok := toDecimal(a); ok {
			if db, ok := toDecimal(b); ok {
				return da.Cmp(db)
			}
		}
	}
	return strings.Compare(fmt.Sprint(nonNil(a)), fmt.Sprint(nonNil(b)))
}

// likeMatch implements SQL LIKE with % and _ wildcards, case-insensitively as MariaDB's default
// collation does.
func likeMatch(s, pattern string) bool {
	s, pattern = strings.ToLower(s), strings.ToLower(pattern)
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], pattern[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], pattern[1:])
	default:
		return s != "" && s[0] == pattern[0] && likeMatch(s[1:], pattern[1:])
	}
}

type sortKey struct {
	field string
	desc  bool
}

// parseOrderBy reads "modified asc, name asc". Frappe's default is "modified desc".
func parseOrderBy(raw string) ([]sortKey, error) {
	if strings.TrimSpace(raw) == "" {
		raw = "modified desc"
	}
	var keys []sortKey
	for _, part := range strings.Split(raw, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil, validation("ValidationError", "Invalid order_by: %s", raw)
		}
		k := sortKey{field: strings.Trim(words[0], "`")}
		if i := strings.LastIndex(k.field, "."); i >= 0 {
			k.field = strings.Trim(k.field[i+1:], "`")
		}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, validation("ValidationError", "Invalid order_by: %s", raw)
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func sortDocs(docs []doc, keys []sortKey) {
	slices.SortStableFunc(docs, func(a, b doc) int {
		for _, k := range keys {
			c := compare(a[k.field], b[k.field])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.str("name"), b.str("name"))
	})
}
