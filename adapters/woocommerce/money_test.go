package woocommerce

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMoneyKeepsWooCommerceDecimalStrings(t *testing.T) {
	var v struct {
		Total     Money  `json:"total"`
		SalePrice Money  `json:"sale_price"`
		Missing   Money  `json:"missing"`
		Null      Money  `json:"null"`
		Price     Number `json:"price"`
	}
	in := `{"total":"29.30","sale_price":"","null":null,"price":0.1}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Total.String() != "29.30" || v.Total.IsBlank() {
		t.Errorf("total = %q (blank %v), want 29.30", v.Total, v.Total.IsBlank())
	}
	if !v.SalePrice.IsBlank() || !v.Null.IsBlank() {
		t.Error("an empty or null price must stay blank, not become 0")
	}
	if !v.Missing.IsBlank() || !v.Missing.Decimal().IsZero() {
		t.Error("the zero Money is blank (and reads as 0)")
	}
	// 0.1 must arrive exactly: through float64 it would not.
	if v.Price.String() != "0.1" || !v.Price.Decimal.Mul(v.Price.Decimal.Add(v.Price.Decimal)).Equal(MustMoney("0.02").Decimal()) {
		t.Errorf("price = %s", v.Price)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total":"29.30","sale_price":"","missing":"","null":"","price":0.1}`
	if string(out) != want {
		t.Errorf("marshal\n got %s\nwant %s", out, want)
	}
}

func TestMoneyRejectsNonNumbers(t *testing.T) {
	for _, in := range []string{`"12,50"`, `"abc"`, `true`, `"1e"`} {
		var m Money
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s was accepted as money", in)
		}
	}
}

func TestDateReadsBothOffsetlessAndOffsetForms(t *testing.T) {
	var v struct {
		A Date `json:"a"`
		B Date `json:"b"`
		C Date `json:"c"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2026-03-01T10:00:00","b":"2026-03-01T05:00:00-05:00","c":null}`), &v); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if !v.A.Equal(want) || !v.B.Equal(want) || !v.C.IsZero() {
		t.Errorf("dates = %v %v %v", v.A, v.B, v.C)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"a":"2026-03-01T10:00:00","b":"2026-03-01T10:00:00","c":null}` {
		t.Errorf("marshal = %s", out)
	}
	if err := json.Unmarshal([]byte(`{"a":"yesterday"}`), &v); err == nil {
		t.Error("a malformed date was accepted")
	}
}

func TestManageStockAcceptsParent(t *testing.T) {
	for in, want := range map[string]ManageStock{`true`: {Managed: true}, `false`: {}, `"parent"`: {Managed: true, ByParent: true}} {
		var m ManageStock
		if err := json.Unmarshal([]byte(in), &m); err != nil || m != want {
			t.Errorf("%s -> %+v, %v", in, m, err)
		}
		out, _ := json.Marshal(m)
		if string(out) != in {
			t.Errorf("%+v marshals to %s, want %s", m, out, in)
		}
	}
	var m ManageStock
	if err := json.Unmarshal([]byte(`"yes"`), &m); err == nil {
		t.Error(`"yes" was accepted`)
	}
}
