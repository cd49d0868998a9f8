// Package canonical is the business model every flow maps into and out of: customers, products,
// stock positions, orders, shipments, invoices, credit notes, payments and settlements, independent
// of any store's or ERP's wire format. Adapters translate their system's documents to and from these
// types; the mapping package applies a MappingSet to them.
//
// Money is exact: an amount is a decimal with its ISO 4217 currency, arithmetic refuses to mix
// currencies, and nothing here holds an amount in a float. Quantities are decimals too, because ERP
// stock is kept in units of measure that can be fractional (kilograms, metres).
package canonical

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/shopspring/decimal"
)

// ErrCurrencyMismatch is returned when amounts in different currencies are combined.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// Money is an exact amount in one currency. The zero value has no currency and is not usable in
// arithmetic: a missing currency is a bug to surface, not a wildcard.
type Money struct {
	Amount decimal.Decimal `json:"amount"`
	// Currency is an ISO 4217 code, e.g. USD.
	Currency string `json:"currency"`
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// ValidCurrency reports whether code looks like an ISO 4217 code.
func ValidCurrency(code string) bool { return currencyCode.MatchString(code) }

// ParseMoney reads a decimal string as stores and ERPs send it ("29.35", "-10.00") in currency.
func ParseMoney(amount, currency string) (Money, error) {
	if !ValidCurrency(currency) {
		return Money{}, fmt.Errorf("invalid currency code %q: want three capital letters (ISO 4217)", currency)
	}
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return Money{}, fmt.Errorf("invalid amount %q in %s: %w", amount, currency, err)
	}
	return Money{Amount: d, Currency: currency}, nil
}

// NewMoney returns an amount of minor units (cents) in currency, e.g. NewMoney(2935, "USD") is 29.35 USD.
func NewMoney(minorUnits int64, currency string) Money {
	return Money{Amount: decimal.New(minorUnits, -MinorUnits(currency)), Currency: currency}
}

// Zero returns no money in currency.
func Zero(currency string) Money { return Money{Amount: decimal.Zero, Currency: currency} }

func (m Money) sameCurrency(op string, o Money) error {
	if m.Currency == "" || m.Currency != o.Currency {
		return fmt.Errorf("%w: cannot %s %s and %s", ErrCurrencyMismatch, op, m, o)
	}
	return nil
}

// Add returns m + o; it fails when the currencies differ.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency("add", o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Add(o.Amount), Currency: m.Currency}, nil
}

// Sub returns m - o; it fails when the currencies differ.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency("subtract", o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Sub(o.Amount), Currency: m.Currency}, nil
}

// Cmp compares m and o (-1, 0, +1); it fails when the currencies differ.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency("compare", o); err != nil {
		return 0, err
	}
	return m.Amount.Cmp(o.Amount), nil
}

// Times returns m multiplied by a quantity, unrounded.
func (m Money) Times(qty decimal.Decimal) Money {
	return Money{Amount: m.Amount.Mul(qty), Currency: m.Currency}
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{Amount: m.Amount.Neg(), Currency: m.Currency} }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount.IsZero() }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.Amount.IsNegative() }

// Equal reports whether m and o are the same amount in the same currency (2.5 equals 2.50).
func (m Money) Equal(o Money) bool { return m.Currency == o.Currency && m.Amount.Equal(o.Amount) }

// String formats the amount at the currency's precision or finer, e.g. "29.35 USD".
func (m Money) String() string {
	places := MinorUnits(m.Currency)
	if exp := -m.Amount.Exponent(); exp > places {
		places = exp
	}
	return m.Amount.StringFixed(places) + " " + m.Currency
}

// RoundingMode names how halves are rounded.
type RoundingMode int

const (
	// HalfUp rounds halves away from zero (2.345 -> 2.35, -2.345 -> -2.35), as PHP's round() does in
	// WooCommerce.
	HalfUp RoundingMode = iota
	// HalfEven rounds halves to the even neighbour (2.345 -> 2.34, 2.355 -> 2.36): banker's rounding.
	HalfEven
)

// Round returns m rounded to places decimal places.
func (m Money) Round(places int32, mode RoundingMode) Money {
	d := m.Amount.Round(places)
	if mode == HalfEven {
		d = m.Amount.RoundBank(places)
	}
	return Money{Amount: d, Currency: m.Currency}
}

// RoundToCurrency returns m rounded to its currency's minor unit.
func (m Money) RoundToCurrency(mode RoundingMode) Money {
	return m.Round(MinorUnits(m.Currency), mode)
}

// Sum adds amounts, all of which must be in currency. Summing nothing gives Zero(currency).
func Sum(currency string, amounts ...Money) (Money, error) {
	total := Zero(currency)
	for _, a := range amounts {
		var err error
		if total, err = total.Add(a); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// minorUnitExceptions lists the ISO 4217 currencies whose minor unit is not two decimal places.
var minorUnitExceptions = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// MinorUnits returns the number of decimal places of currency's minor unit (2 for USD, 0 for JPY).
func MinorUnits(currency string) int32 {
	if n, ok := minorUnitExceptions[currency]; ok {
		return n
	}
	return 2
}
