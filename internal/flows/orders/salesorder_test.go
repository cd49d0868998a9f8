package orders

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/mapping"
)

func compile(t *testing.T, spec v1alpha1.MappingSetSpec) *mapping.Mapper {
	t.Helper()
	m, errs := mapping.Compile("acme/acme", &spec)
	if len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	return m
}

var money = woocommerce.MustMoney

// threeForTen is a line whose subtotal does not divide by its quantity (a price entered with tax,
// or a plugin's bundle price), with one tax rate, a shipping charge and a fee.
func threeForTen() woocommerce.Order {
	return woocommerce.Order{ID: 7, Number: "7", Status: "processing", Currency: "USD", PaymentMethod: "stripe",
		LineItems: []woocommerce.LineItem{{ID: 1, SKU: "TEE-1", Quantity: 3, Subtotal: money("10.00"), Total: money("10.00"),
			TotalTax: money("0.80"), SubtotalTax: money("0.80"), Taxes: []woocommerce.LineTax{{ID: 5, Total: money("0.80"), Subtotal: money("0.80")}}}},
		ShippingLines: []woocommerce.ShippingLine{{ID: 2, MethodID: "courier", MethodTitle: "Courier", Total: money("5.00"), TotalTax: money("0.00")}},
		FeeLines:      []woocommerce.FeeLine{{ID: 3, Name: "Gift wrap", Total: money("2.00"), TotalTax: money("0.00")}},
		TaxLines:      []woocommerce.TaxLine{{ID: 4, RateID: 5, RateCode: "US-CA-STATE TAX-1", Label: "State Tax", TaxTotal: money("0.80"), ShippingTaxTotal: money("0.00")}},
		DiscountTotal: money("0.00"), TotalTax: money("0.80"), Total: money("17.80"),
	}
}

func TestPlanWritesOffUnitPriceRoundingAndMatchesTheStoreTotal(t *testing.T) {
	mapper := compile(t, v1alpha1.MappingSetSpec{
		SKUs:            v1alpha1.SKUMapping{Table: []v1alpha1.SKUPair{{Store: "TEE-1", ERP: "IT-TEE-1"}}},
		Taxes:           []v1alpha1.TaxMapping{{RateCode: "US-CA-STATE TAX-1", Account: "CA Tax - ACME"}},
		PaymentMethods:  []v1alpha1.PaymentMethodMapping{{Store: "stripe", ModeOfPayment: "Card", Account: "Stripe - ACME"}},
		ShippingMethods: []v1alpha1.ShippingMethodMapping{{Store: "courier", Item: "SHIPPING"}},
		Accounts:        v1alpha1.GLAccounts{Fees: "Fees - ACME", Rounding: "Rounding - ACME"},
		Rounding:        v1alpha1.Rounding{MaxAdjustment: "0.05"},
	})
	o, err := ToCanonical(threeForTen())
	if err != nil {
		t.Fatal(err)
	}
	so, err := planSalesOrder(mapper, &o, "Ana", "corr-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(so.Items) != 2 || so.Items[0].ItemCode != "IT-TEE-1" || !so.Items[0].Rate.Equal(decimal.RequireFromString("3.33")) ||
		so.Items[1].ItemCode != "SHIPPING" || !so.Items[1].Rate.Equal(decimal.NewFromInt(5)) {
		t.Errorf("items %+v", so.Items)
	}
	total := decimal.Zero
	for _, it := range so.Items {
		total = total.Add(it.Rate.Mul(it.Qty).Round(2))
	}
	accounts := map[string]string{}
	for _, row := range so.Taxes {
		if row.ChargeType != "Actual" {
			t.Errorf("row %+v is not Actual", row)
		}
		accounts[row.AccountHead] = row.TaxAmount.String()
		total = total.Add(row.TaxAmount)
	}
	if accounts["Rounding - ACME"] != "0.01" || accounts["Fees - ACME"] != "2" || accounts["CA Tax - ACME"] != "0.8" {
		t.Errorf("charge rows %v", accounts)
	}
	if !total.Equal(decimal.RequireFromString("17.80")) || so.ExternalOrderID != "7" || so.CorrelationID != "corr-1" {
		t.Errorf("the ERP would total %s for external id %q, correlation %q; want 17.80", total, so.ExternalOrderID, so.CorrelationID)
	}
}

func TestPlanNamesEverythingUnmappedAtOnce(t *testing.T) {
	mapper := compile(t, v1alpha1.MappingSetSpec{SKUs: v1alpha1.SKUMapping{Unmapped: v1alpha1.UnmappedSKUDeadLetter}})
	o, err := ToCanonical(threeForTen())
	if err != nil {
		t.Fatal(err)
	}
	_, err = planSalesOrder(mapper, &o, "Ana", "corr-1")
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Kind != failure.Permanent || fe.Reason != failure.ReasonUnmapped {
		t.Fatalf("error %v, want Permanent Unmapped", err)
	}
	for _, want := range []string{`SKU "TEE-1"`, `tax rate "US-CA-STATE TAX-1"`, `payment method "stripe"`, `shipping method "courier"`, "accounts.fees"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestToCanonicalRefusesWhatItCannotRead(t *testing.T) {
	o := threeForTen()
	o.Currency = "usd"
	o.LineItems[0].Quantity = 0
	_, err := ToCanonical(o)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Reason != failure.ReasonMalformedPayload || !strings.Contains(err.Error(), `currency "usd"`) ||
		!strings.Contains(err.Error(), "quantity 0") {
		t.Fatalf("error %v, want MalformedPayload naming the currency and the quantity", err)
	}
}
