package canonical

import (
	"errors"
	"fmt"
	"time"
)

// ProductType says whether a product is sold as is or through its variations.
type ProductType string

const (
	ProductSimple ProductType = "Simple"
	// ProductVariable products are sold only through their variations (size, colour); the parent has
	// no stock or price of its own.
	ProductVariable ProductType = "Variable"
)

// Product is a sellable item as the ERP publishes it to the store.
type Product struct {
	// ItemCode is the ERP item code (the template's code for a variable product).
	ItemCode string `json:"itemCode"`
	// SKU is the store SKU, once the MappingSet has decided it.
	SKU         string      `json:"sku,omitempty"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Type        ProductType `json:"type"`
	// Group is the ERP item group (category).
	Group string `json:"group,omitempty"`
	// Disabled items are not sold.
	Disabled bool `json:"disabled,omitempty"`
	// Price is the selling price of a simple product; nil for a variable product.
	Price *Price `json:"price,omitempty"`
	// Attributes describe the product (brand, material), by name.
	Attributes map[string]string `json:"attributes,omitempty"`
	Variations []Variation       `json:"variations,omitempty"`
	Modified   time.Time         `json:"modified"`
}

// Variation is one sellable combination of a variable product's attributes.
type Variation struct {
	ItemCode string `json:"itemCode"`
	SKU      string `json:"sku,omitempty"`
	// Attributes name the combination, e.g. {"Size": "M", "Colour": "Black"}.
	Attributes map[string]string `json:"attributes"`
	Price      Price             `json:"price"`
	Disabled   bool              `json:"disabled,omitempty"`
}

// Price is a regular price with an optional sale price for a period.
type Price struct {
	Regular Money `json:"regular"`
	// Sale replaces Regular from SaleFrom (inclusive) until SaleTo (exclusive); open ends are unbounded.
	Sale     *Money     `json:"sale,omitempty"`
	SaleFrom *time.Time `json:"saleFrom,omitempty"`
	SaleTo   *time.Time `json:"saleTo,omitempty"`
}

// At returns the price a buyer pays at t.
func (p Price) At(t time.Time) Money {
	if p.Sale == nil || (p.SaleFrom != nil && t.Before(*p.SaleFrom)) || (p.SaleTo != nil && !t.Before(*p.SaleTo)) {
		return p.Regular
	}
	return *p.Sale
}

// Validate checks the price can be published: a currency, no negative amount, a sale price in the
// same currency and below the regular price, and a sale period that ends after it starts.
func (p Price) Validate() error {
	if !ValidCurrency(p.Regular.Currency) {
		return fmt.Errorf("regular price %s has no valid currency", p.Regular)
	}
	if p.Regular.IsNegative() {
		return fmt.Errorf("regular price %s is negative", p.Regular)
	}
	if p.Sale != nil {
		c, err := p.Sale.Cmp(p.Regular)
		if err != nil {
			return fmt.Errorf("sale price: %w", err)
		}
		if p.Sale.IsNegative() || c >= 0 {
			return fmt.Errorf("sale price %s must be at least zero and below the regular price %s", p.Sale, p.Regular)
		}
	}
	if p.SaleFrom != nil && p.SaleTo != nil && !p.SaleTo.After(*p.SaleFrom) {
		return fmt.Errorf("sale period ends (%s) before it starts (%s)", p.SaleTo.Format(time.RFC3339), p.SaleFrom.Format(time.RFC3339))
	}
	return nil
}

// Validate checks the product is complete enough to publish: a simple product has its own price and
// no variations, a variable product has variations with distinct item codes and attribute
// combinations, and every price is valid.
func (p Product) Validate() error {
	var errs []error
	if p.ItemCode == "" {
		errs = append(errs, errors.New("item code is empty"))
	}
	switch p.Type {
	case ProductSimple:
		if p.Price == nil {
			errs = append(errs, errors.New("simple product has no price"))
		} else if err := p.Price.Validate(); err != nil {
			errs = append(errs, err)
		}
		if len(p.Variations) > 0 {
			errs = append(errs, fmt.Errorf("simple product has %d variations", len(p.Variations)))
		}
	case ProductVariable:
		if len(p.Variations) == 0 {
			errs = append(errs, errors.New("variable product has no variations"))
		}
		codes := map[string]bool{}
		combos := map[string]string{}
		for i, v := range p.Variations {
			if codes[v.ItemCode] {
				errs = append(errs, fmt.Errorf("variation %d repeats item code %q", i, v.ItemCode))
			}
			codes[v.ItemCode] = true
			key := fmt.Sprint(v.Attributes) // fmt prints maps with sorted keys
			if other, dup := combos[key]; dup {
				errs = append(errs, fmt.Errorf("variations %q and %q have the same attributes %s", other, v.ItemCode, key))
			}
			combos[key] = v.ItemCode
			if err := v.Price.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("variation %q: %w", v.ItemCode, err))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("unknown product type %q", p.Type))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("product %q: %w", p.ItemCode, err)
	}
	return nil
}
