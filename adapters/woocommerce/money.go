package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Money is an amount as WooCommerce writes it: a decimal string such as "29.35". WooCommerce writes
// "" for a price that is not set (the sale_price of a product that is not on sale); Money keeps that
// apart from zero. The zero value is blank, not 0: a product built in Go without a sale price must
// never go out as "on sale for 0.00". Money never passes through float64.
type Money struct {
	amount decimal.Decimal
	set    bool
}

// NewMoney returns the amount d.
func NewMoney(d decimal.Decimal) Money { return Money{amount: d, set: true} }

// BlankMoney is the "not set" value WooCommerce writes as "" (the zero Money).
func BlankMoney() Money { return Money{} }

// ParseMoney reads a WooCommerce decimal string; "" gives BlankMoney.
func ParseMoney(s string) (Money, error) {
	if s == "" {
		return BlankMoney(), nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("invalid amount %q", s)
	}
	return NewMoney(d), nil
}

// MustMoney is ParseMoney for constants in code and tests; it panics on a bad literal.
func MustMoney(s string) Money {
	m, err := ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Decimal returns the amount; a blank Money is 0.
func (m Money) Decimal() decimal.Decimal { return m.amount }

// IsBlank reports whether WooCommerce sent "" (not set).
func (m Money) IsBlank() bool { return !m.set }

// String writes the amount keeping its scale ("29.30" stays "29.30"), or "" when blank.
func (m Money) String() string {
	if !m.set {
		return ""
	}
	return m.amount.StringFixed(max(0, -m.amount.Exponent()))
}

// Equal compares amounts and blankness.
func (m Money) Equal(o Money) bool { return m.set == o.set && m.amount.Equal(o.amount) }

func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON accepts a decimal string, "" and null, and also a bare JSON number because some
// extensions write numbers where core writes strings.
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*m = BlankMoney()
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Number is a decimal WooCommerce writes as a bare JSON number: line_items[].price is the one that
// matters. It is decoded straight from the JSON text, never through float64.
type Number struct{ decimal.Decimal }

func (n Number) MarshalJSON() ([]byte, error) { return []byte(n.String()), nil }

func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		n.Decimal = decimal.Zero
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("invalid number %q", b)
	}
	n.Decimal = d
	return nil
}

// dateLayout is how WooCommerce writes dates in bodies: ISO 8601 without an offset. The `_gmt`
// fields are UTC; the others are in the site's time zone, which the body does not name.
const dateLayout = "2006-01-02T15:04:05"

// Date is a WooCommerce body date. Read the `_gmt` fields (UTC); the site-local ones are parsed as
// if UTC because the offset is unknown. null gives the zero Date.
type Date struct{ time.Time }

// NewDate returns t truncated to seconds, as WooCommerce stores it.
func NewDate(t time.Time) Date { return Date{t.Truncate(time.Second)} }

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(d.Time.Format(dateLayout))), nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		d.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// ParseDate reads an ISO 8601 date as WooCommerce writes or accepts it: without an offset (taken as
// UTC) or with Z or an offset.
func ParseDate(s string) (time.Time, error) {
	if t, err := time.Parse(dateLayout, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	return t.UTC(), nil
}
