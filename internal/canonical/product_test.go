package canonical

import (
	"strings"
	"testing"
	"time"
)

func TestPriceAtHonoursTheSalePeriod(t *testing.T) {
	from := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	to := from.Add(96 * time.Hour)
	sale := money(t, "39.00", "USD")
	p := Price{Regular: money(t, "49.00", "USD"), Sale: &sale, SaleFrom: &from, SaleTo: &to}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{from.Add(-time.Second), "49.00"},
		{from, "39.00"},
		{to.Add(-time.Second), "39.00"},
		{to, "49.00"},
	} {
		if got := p.At(tc.at); !got.Equal(money(t, tc.want, "USD")) {
			t.Errorf("At(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestProductValidate(t *testing.T) {
	price := func(regular string) Price { return Price{Regular: money(t, regular, "USD")} }
	sale := money(t, "60.00", "USD")
	p49 := price("49.00")
	for _, tc := range []struct {
		name string
		p    Product
		want string // "" means valid
	}{
		{"simple", Product{ItemCode: "MUG-WHT", Type: ProductSimple, Price: &p49}, ""},
		{"simple without price", Product{ItemCode: "MUG-WHT", Type: ProductSimple}, "simple product has no price"},
		{"sale above regular", Product{ItemCode: "MUG-WHT", Type: ProductSimple,
			Price: &Price{Regular: money(t, "49.00", "USD"), Sale: &sale}}, "below the regular price"},
		{"variable", Product{ItemCode: "HD-0001", Type: ProductVariable, Variations: []Variation{
			{ItemCode: "HD-0001-BLK-M", Attributes: map[string]string{"Size": "M", "Colour": "Black"}, Price: price("50.00")},
			{ItemCode: "HD-0001-BLK-L", Attributes: map[string]string{"Size": "L", "Colour": "Black"}, Price: price("50.00")},
		}}, ""},
		{"variable with the same combination twice", Product{ItemCode: "HD-0001", Type: ProductVariable, Variations: []Variation{
			{ItemCode: "HD-0001-BLK-M", Attributes: map[string]string{"Size": "M", "Colour": "Black"}, Price: price("50.00")},
			{ItemCode: "HD-0001-BLK-M2", Attributes: map[string]string{"Colour": "Black", "Size": "M"}, Price: price("50.00")},
		}}, "have the same attributes"},
		{"variable without variations", Product{ItemCode: "HD-0001", Type: ProductVariable}, "no variations"},
		{"no type", Product{ItemCode: "X"}, "unknown product type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
