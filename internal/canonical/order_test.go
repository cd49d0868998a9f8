package canonical

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/internal/failure"
)

// sampleOrder is a WooCommerce-shaped order that adds up: two hoodies at 50.00 less a 10% coupon,
// a mug, flat-rate shipping, a gift-wrap fee, California tax on everything, and a gift card.
func sampleOrder(t testing.TB) Order {
	usd := func(s string) Money { return money(t, s, "USD") }
	return Order{
		StoreID: "1042", Number: "1042", Status: "processing", Currency: "USD",
		Customer:      Customer{StoreID: "7", Email: "Ada@Example.com"},
		PaymentMethod: "stripe",
		Lines: []OrderLine{
			{StoreID: "1", SKU: "HOODIE-BLK-M", Quantity: decimal.NewFromInt(2),
				Subtotal: usd("100.00"), SubtotalTax: usd("7.25"), Total: usd("90.00"), TotalTax: usd("6.53"),
				Taxes: []LineTax{{RateID: "1", Total: usd("6.53"), Subtotal: usd("7.25")}}},
			{StoreID: "2", SKU: "MUG-WHT", Quantity: decimal.NewFromInt(1),
				Subtotal: usd("12.00"), SubtotalTax: usd("0.87"), Total: usd("12.00"), TotalTax: usd("0.87"),
				Taxes: []LineTax{{RateID: "1", Total: usd("0.87"), Subtotal: usd("0.87")}}},
		},
		Shipping:      []ShippingLine{{StoreID: "3", MethodID: "flat_rate", Total: usd("5.00"), TotalTax: usd("0.36")}},
		Fees:          []FeeLine{{StoreID: "4", Name: "Gift wrap", Total: usd("2.00"), TotalTax: usd("0.15")}},
		Coupons:       []CouponLine{{Code: "TENOFF", Discount: usd("10.00"), DiscountTax: usd("0.72")}},
		GiftCards:     []GiftCardLine{{Code: "GC-1", Amount: usd("20.00")}},
		Taxes:         []TaxLine{{RateID: "1", RateCode: "US-CA-STATE TAX-1", TaxTotal: usd("7.55"), ShippingTaxTotal: usd("0.36")}},
		DiscountTotal: usd("10.00"), DiscountTax: usd("0.72"),
		// 112.00 - 10.00 + 5.00 + 2.00 + 7.91 - 20.00
		TotalTax: usd("7.91"), Total: usd("96.91"),
	}
}

func TestCheckTotalsAcceptsAnOrderThatAddsUp(t *testing.T) {
	o := sampleOrder(t)
	if err := o.CheckTotals(); err != nil {
		t.Fatalf("CheckTotals() = %v, want nil", err)
	}
	totals, err := o.Totals()
	if err != nil {
		t.Fatal(err)
	}
	if !totals.Total.Equal(o.Total) || !totals.Tax.Equal(o.TotalTax) || !totals.Lines.Equal(money(t, "102.00", "USD")) {
		t.Errorf("Totals() = %+v", totals)
	}
}

func TestCheckTotalsToleratesSubCentPrecision(t *testing.T) {
	// Stores asked for more decimals (dp=4) report line amounts finer than the total; the check is to
	// the cent.
	o := sampleOrder(t)
	o.Lines[1].Subtotal = money(t, "12.0004", "USD")
	o.Lines[1].Total = money(t, "12.0004", "USD")
	if err := o.CheckTotals(); err != nil {
		t.Fatalf("CheckTotals() = %v, want nil", err)
	}
}

func TestCheckTotalsRefusesOrdersThatDoNotAddUp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Order)
		want   string
	}{
		{"total a cent off", func(o *Order) { o.Total = money(t, "96.92", "USD") },
			"subtotal - discount + shipping + fees + tax - gift cards is 96.91 USD, but the order says 96.92 USD"},
		{"discount not on the lines", func(o *Order) { o.DiscountTotal = money(t, "12.00", "USD"); o.Total = money(t, "94.91", "USD") },
			"line subtotals - line totals is 10.00 USD, but the order says 12.00 USD"},
		{"tax lines disagree", func(o *Order) { o.Taxes[0].ShippingTaxTotal = money(t, "0.35", "USD") },
			"tax per rate is 7.90 USD, but the order says 7.91 USD"},
		{"line tax per rate disagrees", func(o *Order) { o.Lines[0].Taxes[0].Total = money(t, "6.50", "USD") },
			"line 1 (HOODIE-BLK-M) tax per rate is 6.50 USD, but the order says 6.53 USD"},
		{"a line in another currency", func(o *Order) { o.Lines[1].Total = money(t, "12.00", "EUR") },
			"currency mismatch"},
		{"no discount currency", func(o *Order) { o.DiscountTotal = Money{} },
			"currency mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := sampleOrder(t)
			tc.mutate(&o)
			err := o.CheckTotals()
			if err == nil {
				t.Fatal("CheckTotals() = nil, want an error")
			}
			var fe *failure.Error
			if !errors.As(err, &fe) || fe.Kind != failure.Permanent || fe.Reason != failure.ReasonMalformedPayload {
				t.Fatalf("CheckTotals() = %#v, want a Permanent MalformedPayload failure", err)
			}
			if !strings.Contains(err.Error(), "order 1042 does not add up") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckTotals() = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTaxByRateSumsLinesAndShipping(t *testing.T) {
	o := sampleOrder(t)
	o.Taxes = append(o.Taxes, TaxLine{RateID: "2", RateCode: "US-CA-LA COUNTY-2",
		TaxTotal: money(t, "1.00", "USD"), ShippingTaxTotal: money(t, "0.05", "USD")})
	got, err := o.TaxByRate()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["US-CA-STATE TAX-1"].Equal(money(t, "7.91", "USD")) || !got["US-CA-LA COUNTY-2"].Equal(money(t, "1.05", "USD")) {
		t.Errorf("TaxByRate() = %v", got)
	}
}

func TestCustomerContactEmailAndName(t *testing.T) {
	c := Customer{Billing: Address{Email: "  Ada@Example.COM ", FirstName: "Ada", LastName: "Lovelace"}}
	if got := c.ContactEmail(); got != "ada@example.com" {
		t.Errorf("ContactEmail() = %q", got)
	}
	if !c.IsGuest() {
		t.Error("a customer without a store id is a guest")
	}
	if got := c.DisplayName(); got != "Ada Lovelace" {
		t.Errorf("DisplayName() = %q", got)
	}
	c.Company = "Analytical Engines Ltd"
	if got := c.DisplayName(); got != "Analytical Engines Ltd" {
		t.Errorf("DisplayName() with company = %q", got)
	}
}
