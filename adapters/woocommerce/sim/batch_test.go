package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

func TestBatchOverOneHundredItemsIs413(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	items := func(n int) map[string]any {
		var create []map[string]string
		for i := range n {
			create = append(create, map[string]string{"name": "P", "sku": fmt.Sprintf("B-%d", i)})
		}
		return map[string]any{"create": create[:n-1], "delete": []int{999999}}
	}
	a := f.call("POST", "/products/batch", nil, items(101))
	if e := a.wcError(t); a.status != http.StatusRequestEntityTooLarge || e.Code != "woocommerce_rest_request_entity_too_large" {
		t.Errorf("101 items: %d %+v", a.status, e)
	}
	if f.s.Kit().Accounting.Total() != 1 || len(f.s.products) != 0 {
		t.Error("a refused batch changed the catalog")
	}
	if a := f.call("POST", "/products/batch", nil, items(100)); a.status != http.StatusOK {
		t.Errorf("100 items: %d %s", a.status, a.body)
	}
}

func TestBatchAnswersTwoHundredWithPerItemErrors(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{SimpleProducts: 1})
	existing := f.s.products[f.s.skuOwner("TEE-0001", 0)]
	a := f.call("POST", "/products/batch", nil, map[string]any{
		"create": []map[string]any{{"name": "ok", "sku": "NEW-1"}, {"name": "dup", "sku": "TEE-0001"}, {"name": "bad", "type": "bundle"}},
		"update": []map[string]any{{"id": existing.ID, "regular_price": "5.00"}, {"id": 424242, "regular_price": "5.00"}, {"regular_price": "1"}},
		"delete": []int64{424242},
	})
	if a.status != http.StatusOK {
		t.Fatalf("status %d", a.status)
	}
	var out map[string][]json.RawMessage
	a.decode(t, &out)
	type entry struct {
		ID    int64 `json:"id"`
		SKU   string
		Error *struct {
			Code string `json:"code"`
			Data struct {
				Status     int   `json:"status"`
				ResourceID int64 `json:"resource_id"`
			} `json:"data"`
		} `json:"error"`
	}
	read := func(group string, i int) entry {
		var e entry
		if err := json.Unmarshal(out[group][i], &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := read("create", 0); e.Error != nil || e.ID == 0 {
		t.Errorf("create ok: %+v", e)
	}
	if e := read("create", 1); e.Error == nil || e.Error.Code != "product_invalid_sku" || e.Error.Data.ResourceID != existing.ID || e.Error.Data.Status != 400 {
		t.Errorf("create dup: %s", out["create"][1])
	}
	if e := read("create", 2); e.Error == nil || e.Error.Code != "rest_invalid_param" {
		t.Errorf("create bad type: %s", out["create"][2])
	}
	if e := read("update", 0); e.Error != nil {
		t.Errorf("update ok: %s", out["update"][0])
	}
	for i := 1; i < 3; i++ {
		if e := read("update", i); e.Error == nil || e.Error.Code != "woocommerce_rest_product_invalid_id" {
			t.Errorf("update %d: %s", i, out["update"][i])
		}
	}
	if e := read("delete", 0); e.Error == nil || e.ID != 424242 || e.Error.Data.Status != 404 {
		t.Errorf("delete missing: %s", out["delete"][0])
	}
}

func TestNullForATypedFieldIsRefused(t *testing.T) {
	f := newFixture(t, Config{}, Catalog{})
	a := f.call("POST", "/orders", nil, `{"meta_data":null}`)
	if e := a.wcError(t); a.status != 400 || e.Code != "rest_invalid_param" || e.Data.Params["meta_data"] == "" {
		t.Errorf("null meta_data: %d %s", a.status, a.body)
	}
	if a := f.call("POST", "/orders", nil, `{"line_items":`); a.status != 400 || a.wcError(t).Code != "rest_invalid_json" {
		t.Errorf("broken JSON: %d %s", a.status, a.body)
	}
}
