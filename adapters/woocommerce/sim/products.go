package sim

import (
	"net/http"
	"slices"
	"strings"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// productInput is a create or update body for products and variations; absent fields stay as they are.
type productInput struct {
	woocommerce.ProductUpdate
	Type       *string                 `json:"type"`
	TaxClass   *string                 `json:"tax_class"`
	Attributes []woocommerce.Attribute `json:"attributes"`
}

var (
	productTypes    = []string{woocommerce.ProductSimple, woocommerce.ProductVariable, woocommerce.ProductGrouped, woocommerce.ProductExternal}
	productStatuses = []string{"draft", "pending", "private", "publish"}
	stockStatuses   = []string{woocommerce.StockInStock, woocommerce.StockOutOfStock, woocommerce.StockOnBackorder}
	backorderModes  = []string{"no", "notify", "yes"}
)

func oneOf(param string, v *string, allowed []string) *restError {
	if v != nil && !slices.Contains(allowed, *v) {
		return invalidParam(param, param+" is not one of "+strings.Join(allowed, ", ")+".")
	}
	return nil
}

// validate checks enumerations and money before anything is written.
func (in productInput) validate() *restError {
	for _, check := range []*restError{
		oneOf("type", in.Type, productTypes),
		oneOf("status", in.Status, productStatuses),
		oneOf("stock_status", in.StockStatus, stockStatuses),
		oneOf("backorders", in.Backorders, backorderModes),
	} {
		if check != nil {
			return check
		}
	}
	for name, m := range map[string]*woocommerce.Money{"regular_price": in.RegularPrice, "sale_price": in.SalePrice} {
		if m != nil && !m.IsBlank() && m.Decimal().IsNegative() {
			return invalidParam(name, name+" must not be negative.")
		}
	}
	return nil
}

// skuOwner returns the product or variation that has sku, other than self. Called with s.mu held.
func (s *Sim) skuOwner(sku string, self int64) int64 {
	if sku == "" {
		return 0
	}
	for id, p := range s.products {
		if id != self && p.SKU == sku && p.Status != woocommerce.StatusTrash {
			return id
		}
	}
	for id, v := range s.variations {
		if id != self && v.SKU == sku {
			return id
		}
	}
	return 0
}

func duplicateSKU(sku string, owner int64) *restError {
	return &restError{Status: http.StatusBadRequest, Code: "product_invalid_sku", Message: "Invalid or duplicated SKU.",
		Data: map[string]any{"resource_id": owner, "unique_sku": sku}}
}

// stockFields is what products and variations share for prices and stock.
type stockFields struct {
	sku                               *string
	price, regular, sale              *woocommerce.Money
	manage                            *woocommerce.ManageStock
	qty                               **int
	stockStatus, backorders, taxClass *string
}

// apply writes in onto the fields, then derives price and stock status as WooCommerce does:
// price is the sale price when one is set, and a managed stock decides the stock status.
func (in productInput) apply(f stockFields) {
	if in.SKU != nil {
		*f.sku = *in.SKU
	}
	if in.RegularPrice != nil {
		*f.regular = *in.RegularPrice
	}
	if in.SalePrice != nil {
		*f.sale = *in.SalePrice
	}
	if in.ManageStock != nil {
		*f.manage = *in.ManageStock
	}
	if in.StockQuantity != nil {
		q := *in.StockQuantity
		*f.qty = &q
	}
	if in.StockStatus != nil {
		*f.stockStatus = *in.StockStatus
	}
	if in.Backorders != nil {
		*f.backorders = *in.Backorders
	}
	if in.TaxClass != nil {
		*f.taxClass = *in.TaxClass
	}
	*f.price = *f.regular
	if !f.sale.IsBlank() {
		*f.price = *f.sale
	}
	if *f.backorders == "" {
		*f.backorders = "no"
	}
	if !f.manage.Managed || f.manage.ByParent {
		if *f.stockStatus == "" {
			*f.stockStatus = woocommerce.StockInStock
		}
		if !f.manage.Managed {
			*f.qty = nil
		}
		return
	}
	if *f.qty == nil {
		zero := 0
		*f.qty = &zero
	}
	switch {
	case **f.qty > 0:
		*f.stockStatus = woocommerce.StockInStock
	case *f.backorders == "no":
		*f.stockStatus = woocommerce.StockOutOfStock
	default:
		*f.stockStatus = woocommerce.StockOnBackorder
	}
}

func productFields(p *woocommerce.Product) stockFields {
	return stockFields{&p.SKU, &p.Price, &p.RegularPrice, &p.SalePrice, &p.ManageStock, &p.StockQuantity,
		&p.StockStatus, &p.Backorders, &p.TaxClass}
}

func variationFields(v *woocommerce.Variation) stockFields {
	return stockFields{&v.SKU, &v.Price, &v.RegularPrice, &v.SalePrice, &v.ManageStock, &v.StockQuantity,
		&v.StockStatus, &v.Backorders, &v.TaxClass}
}

func productMeta(p woocommerce.Product) listed {
	return listed{id: p.ID, created: p.DateCreatedGMT.Time, modified: p.DateModifiedGMT.Time, title: p.Name}
}

func (s *Sim) listProducts(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r, "price", "popularity", "rating")
	if e != nil {
		return 0, nil, e
	}
	skus := map[string]bool{}
	for _, sku := range strings.Split(lq.q.Get("sku"), ",") {
		if sku = strings.TrimSpace(sku); sku != "" {
			skus[sku] = true
		}
	}
	statuses := statusFilter(lq.q, "status")
	typ, stock := lq.q.Get("type"), lq.q.Get("stock_status")
	s.mu.Lock()
	var items []woocommerce.Product
	for _, p := range s.products {
		switch {
		case len(skus) > 0 && !skus[p.SKU],
			statuses != nil && !statuses[p.Status],
			statuses == nil && p.Status == woocommerce.StatusTrash,
			typ != "" && p.Type != typ,
			stock != "" && p.StockStatus != stock:
			continue
		}
		items = append(items, *p)
	}
	// Items share slices with the store until the page is copied, so the lock covers both.
	defer s.mu.Unlock()
	return http.StatusOK, cloneJSON(paginate(w, r, lq, items, productMeta)), nil
}

func (s *Sim) getProduct(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := pathID(r, "id")
	if p, ok := s.products[id]; ok {
		return http.StatusOK, cloneJSON(*p), nil
	}
	// Variations are products too: WooCommerce serves one by its own id here.
	if v, ok := s.variations[id]; ok {
		return http.StatusOK, cloneJSON(*v), nil
	}
	return 0, nil, invalidID("product", http.StatusNotFound)
}

func (s *Sim) createProduct(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in productInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	p, e := s.createProductFrom(in)
	return http.StatusCreated, p, e
}

// createProductFrom adds a product as POST /products does.
func (s *Sim) createProductFrom(in productInput) (woocommerce.Product, *restError) {
	if e := in.validate(); e != nil {
		return woocommerce.Product{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.SKU != nil {
		if owner := s.skuOwner(*in.SKU, 0); owner != 0 {
			return woocommerce.Product{}, duplicateSKU(*in.SKU, owner)
		}
	}
	p := &woocommerce.Product{ID: s.nextPostID, Type: woocommerce.ProductSimple, Status: "publish",
		TaxStatus: "taxable", Variations: []int64{}, MetaData: []woocommerce.MetaData{},
		Price: woocommerce.BlankMoney(), RegularPrice: woocommerce.BlankMoney(), SalePrice: woocommerce.BlankMoney()}
	s.nextPostID++
	if in.Type != nil {
		p.Type = *in.Type
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Status != nil {
		p.Status = *in.Status
	}
	p.Slug = slug(p.Name, p.ID)
	in.apply(productFields(p))
	now := s.now()
	p.DateCreated, p.DateCreatedGMT = s.stamp(now)
	p.DateModified, p.DateModifiedGMT = p.DateCreated, p.DateCreatedGMT
	s.products[p.ID] = p
	s.emit("product", "created", p.ID)
	return cloneJSON(*p), nil
}

func (s *Sim) updateProduct(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in productInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	p, e := s.updateProductFrom(pathID(r, "id"), in)
	return http.StatusOK, p, e
}

// updateProductFrom changes a product as PUT /products/{id} does (a missing id is 400, not 404).
func (s *Sim) updateProductFrom(id int64, in productInput) (woocommerce.Product, *restError) {
	if e := in.validate(); e != nil {
		return woocommerce.Product{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return woocommerce.Product{}, invalidID("product", http.StatusBadRequest)
	}
	if in.SKU != nil {
		if owner := s.skuOwner(*in.SKU, id); owner != 0 {
			return woocommerce.Product{}, duplicateSKU(*in.SKU, owner)
		}
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Status != nil {
		p.Status = *in.Status
	}
	if in.Type != nil {
		p.Type = *in.Type
	}
	in.apply(productFields(p))
	s.touchProduct(p)
	return cloneJSON(*p), nil
}

// touchProduct stamps a change and queues product.updated. Called with s.mu held.
func (s *Sim) touchProduct(p *woocommerce.Product) {
	p.DateModified, p.DateModifiedGMT = s.stamp(s.now())
	s.emit("product", "updated", p.ID)
}

func (s *Sim) deleteProduct(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	p, e := s.deleteProductByID(pathID(r, "id"), forceDelete(r))
	return http.StatusOK, p, e
}

// deleteProductByID trashes a product, or with force removes it and its variations.
func (s *Sim) deleteProductByID(id int64, force bool) (woocommerce.Product, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return woocommerce.Product{}, invalidID("product", http.StatusNotFound)
	}
	if !force {
		if p.Status == woocommerce.StatusTrash {
			return woocommerce.Product{}, errf(http.StatusGone, "woocommerce_rest_already_trashed", "The product with ID %d has already been deleted.", id)
		}
		p.Status = woocommerce.StatusTrash
		p.DateModified, p.DateModifiedGMT = s.stamp(s.now())
		s.emit("product", "deleted", id)
		return cloneJSON(*p), nil
	}
	for _, vid := range p.Variations {
		delete(s.variations, vid)
	}
	delete(s.products, id)
	s.emit("product", "deleted", id)
	return cloneJSON(*p), nil
}

func slug(name string, id int64) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		default:
			return '-'
		}
	}, name)
	if out = strings.Trim(out, "-"); out == "" {
		return "product-" + itoa(id)
	}
	return out
}
