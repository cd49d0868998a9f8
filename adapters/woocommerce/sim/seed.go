package sim

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// Catalog sizes a generated catalog.
type Catalog struct {
	SimpleProducts   int `json:"simple_products"`
	VariableProducts int `json:"variable_products"`
	VariationsEach   int `json:"variations_each"`
	Customers        int `json:"customers"`
}

// SeedFile is a catalog written out as JSON. Products and variations use the wc/v3 write fields
// (absent fields stay unset, so a missing sale_price means "not on sale").
type SeedFile struct {
	Products  []SeedProduct          `json:"products"`
	Customers []woocommerce.Customer `json:"customers"`
}

// SeedProduct is a product to create, with its variations when it is variable.
type SeedProduct struct {
	woocommerce.ProductUpdate
	Type       *string         `json:"type"`
	Variations []SeedVariation `json:"variations"`
}

// SeedVariation is a variation to create.
type SeedVariation struct {
	woocommerce.ProductUpdate
	Attributes []woocommerce.Attribute `json:"attributes"`
}

var sizes = []string{"S", "M", "L", "XL", "XXL"}

// Seed generates a catalog: simple products with managed stock and prices such as "24.99", variable
// hoodies with one variation per size, and registered customers.
func (s *Sim) Seed(c Catalog) error {
	price := func(i int) *woocommerce.Money {
		m := woocommerce.NewMoney(decimal.New(int64(999+i*250%9000), -2))
		return &m
	}
	for i := range c.SimpleProducts {
		qty, sku, name := 20+i%50, fmt.Sprintf("TEE-%04d", i+1), fmt.Sprintf("T-shirt %d", i+1)
		in := productInput{ProductUpdate: woocommerce.ProductUpdate{Name: &name, SKU: &sku, RegularPrice: price(i),
			ManageStock: &woocommerce.ManageStock{Managed: true}, StockQuantity: &qty}}
		if _, e := s.createProductFrom(in); e != nil {
			return e
		}
	}
	for i := range c.VariableProducts {
		typ, name, sku := woocommerce.ProductVariable, fmt.Sprintf("Hoodie %d", i+1), fmt.Sprintf("HOODIE-%03d", i+1)
		p, e := s.createProductFrom(productInput{ProductUpdate: woocommerce.ProductUpdate{Name: &name, SKU: &sku}, Type: &typ})
		if e != nil {
			return e
		}
		for j := range c.VariationsEach {
			size := sizes[j%len(sizes)]
			vsku, qty := fmt.Sprintf("%s-%s-%d", sku, size, j/len(sizes)), 5+j
			in := productInput{ProductUpdate: woocommerce.ProductUpdate{SKU: &vsku, RegularPrice: price(i + j),
				ManageStock: &woocommerce.ManageStock{Managed: true}, StockQuantity: &qty},
				Attributes: []woocommerce.Attribute{{Name: "Size", Option: size}}}
			if _, e := s.createVariationFrom(p.ID, in); e != nil {
				return e
			}
		}
	}
	for i := range c.Customers {
		sh := shoppers[i%len(shoppers)].addr
		email := fmt.Sprintf("customer%d@example.com", i+1)
		sh.Email = email
		if _, err := s.AddCustomer(woocommerce.Customer{Email: email, FirstName: sh.FirstName, LastName: sh.LastName,
			Billing: sh, Shipping: sh}); err != nil {
			return err
		}
	}
	return nil
}

// SeedFromFile loads a SeedFile (JSON).
func (s *Sim) SeedFromFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f SeedFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("seed file %s: %w", path, err)
	}
	for _, p := range f.Products {
		created, e := s.createProductFrom(productInput{ProductUpdate: p.ProductUpdate, Type: p.Type})
		if e != nil {
			return fmt.Errorf("seed product %v: %w", p.SKU, e)
		}
		for _, v := range p.Variations {
			if _, e := s.createVariationFrom(created.ID, productInput{ProductUpdate: v.ProductUpdate, Attributes: v.Attributes}); e != nil {
				return fmt.Errorf("seed variation %v: %w", v.SKU, e)
			}
		}
	}
	for _, c := range f.Customers {
		if _, err := s.AddCustomer(c); err != nil {
			return fmt.Errorf("seed customer %q: %w", c.Email, err)
		}
	}
	return nil
}
