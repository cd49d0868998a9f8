package canonical

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

// money parses an amount for tests; a typo in a test literal fails the test.
func money(t testing.TB, amount, currency string) Money {
	t.Helper()
	m, err := ParseMoney(amount, currency)
	if err != nil {
		t.Fatalf("ParseMoney(%q, %q): %v", amount, currency, err)
	}
	return m
}

func TestParseMoneyRejectsBadInput(t *testing.T) {
	for _, tc := range []struct{ amount, currency string }{
		{"29.35", "usd"},
		{"29.35", ""},
		{"29.35", "USDX"},
		{"", "USD"},
		{"twelve", "USD"},
		{"1,50", "EUR"},
	} {
		if m, err := ParseMoney(tc.amount, tc.currency); err == nil {
			t.Errorf("ParseMoney(%q, %q) = %s, want an error", tc.amount, tc.currency, m)
		}
	}
}

func TestMoneyArithmeticIsExact(t *testing.T) {
	// 0.1 + 0.2 is the classic float failure; decimals must give exactly 0.3.
	sum, err := money(t, "0.1", "USD").Add(money(t, "0.2", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Equal(money(t, "0.30", "USD")) {
		t.Errorf("0.1 + 0.2 = %s, want 0.30 USD", sum)
	}
	diff, err := money(t, "10.00", "EUR").Sub(money(t, "10.01", "EUR"))
	if err != nil {
		t.Fatal(err)
	}
	if !diff.Equal(money(t, "-0.01", "EUR")) || !diff.IsNegative() {
		t.Errorf("10.00 - 10.01 = %s, want -0.01 EUR", diff)
	}
	if got := money(t, "19.99", "USD").Times(decimal.NewFromInt(3)); !got.Equal(money(t, "59.97", "USD")) {
		t.Errorf("19.99 x 3 = %s, want 59.97 USD", got)
	}
	if got := NewMoney(2935, "USD"); !got.Equal(money(t, "29.35", "USD")) {
		t.Errorf("NewMoney(2935, USD) = %s", got)
	}
	if got := NewMoney(500, "JPY"); !got.Equal(money(t, "500", "JPY")) {
		t.Errorf("NewMoney(500, JPY) = %s", got)
	}
}

func TestMoneyRefusesMixedCurrencies(t *testing.T) {
	usd, eur := money(t, "1.00", "USD"), money(t, "1.00", "EUR")
	if _, err := usd.Add(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("USD + EUR: err = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := usd.Sub(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("USD - EUR: err = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := usd.Cmp(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("USD cmp EUR: err = %v, want ErrCurrencyMismatch", err)
	}
	// The zero value has no currency: it must not silently adopt one.
	if _, err := (Money{}).Add(usd); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Money{} + USD: err = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := Sum("USD", usd, eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Sum(USD, USD, EUR): err = %v, want ErrCurrencyMismatch", err)
	}
	if usd.Equal(eur) {
		t.Error("1.00 USD equals 1.00 EUR")
	}
}

func TestMoneyRounding(t *testing.T) {
	for _, tc := range []struct {
		amount, currency string
		mode             RoundingMode
		want             string
	}{
		{"2.345", "USD", HalfUp, "2.35"},
		{"-2.345", "USD", HalfUp, "-2.35"},
		{"2.345", "USD", HalfEven, "2.34"},
		{"2.355", "USD", HalfEven, "2.36"},
		{"2.3449", "USD", HalfUp, "2.34"},
		{"1234.5", "JPY", HalfUp, "1235"},
		{"1234.5", "JPY", HalfEven, "1234"},
		{"1.2345", "KWD", HalfUp, "1.235"},
	} {
		got := money(t, tc.amount, tc.currency).RoundToCurrency(tc.mode)
		if !got.Equal(money(t, tc.want, tc.currency)) {
			t.Errorf("round %s %s (mode %d) = %s, want %s", tc.amount, tc.currency, tc.mode, got, tc.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{money(t, "29.3", "USD"), "29.30 USD"},
		{money(t, "29.345", "USD"), "29.345 USD"},
		{money(t, "500", "JPY"), "500 JPY"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestSumOfNothingIsZeroInCurrency(t *testing.T) {
	got, err := Sum("EUR")
	if err != nil || !got.Equal(Zero("EUR")) {
		t.Errorf("Sum(EUR) = %s, %v; want 0 EUR", got, err)
	}
}
