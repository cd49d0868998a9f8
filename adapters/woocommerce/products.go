package woocommerce

import (
	"context"
	"iter"
)

// ProductUpdate changes the named fields of a product or variation; nil fields are not sent, so an
// update never clears what it does not mention. ID is used in batch updates.
type ProductUpdate struct {
	ID            int64        `json:"id,omitempty"`
	Name          *string      `json:"name,omitempty"`
	Status        *string      `json:"status,omitempty"`
	SKU           *string      `json:"sku,omitempty"`
	RegularPrice  *Money       `json:"regular_price,omitempty"`
	SalePrice     *Money       `json:"sale_price,omitempty"`
	ManageStock   *ManageStock `json:"manage_stock,omitempty"`
	StockQuantity *int         `json:"stock_quantity,omitempty"`
	StockStatus   *string      `json:"stock_status,omitempty"`
	Backorders    *string      `json:"backorders,omitempty"`
	MetaData      []MetaData   `json:"meta_data,omitempty"`
}

// Products walks the catalog.
func (c *Client) Products(ctx context.Context, opts ListOptions) iter.Seq2[Product, error] {
	return list[Product](ctx, c, "products", opts)
}

// Product reads one product.
func (c *Client) Product(ctx context.Context, id int64) (Product, error) {
	return getOne[Product](ctx, c, idPath("products/%d", id))
}

// CreateProduct creates a product. A duplicate SKU fails with product_invalid_sku and the existing
// product's id (ExistingResourceID).
func (c *Client) CreateProduct(ctx context.Context, p Product) (Product, error) {
	return create[Product](ctx, c, "products", p)
}

// UpdateProduct changes a product.
func (c *Client) UpdateProduct(ctx context.Context, id int64, u ProductUpdate) (Product, error) {
	return send[Product](ctx, c, "PUT", idPath("products/%d", id), u)
}

// DeleteProduct trashes a product, or deletes it for good with force.
func (c *Client) DeleteProduct(ctx context.Context, id int64, force bool) (Product, error) {
	return remove[Product](ctx, c, idPath("products/%d", id), force)
}

// BatchProducts creates, updates and deletes products, 100 items a request.
func (c *Client) BatchProducts(ctx context.Context, b Batch[Product, ProductUpdate]) (BatchResult[Product], error) {
	return runBatch[Product](ctx, c, "products/batch", b)
}

// Variations walks a variable product's variations.
func (c *Client) Variations(ctx context.Context, productID int64, opts ListOptions) iter.Seq2[Variation, error] {
	return list[Variation](ctx, c, idPath("products/%d/variations", productID), opts)
}

// Variation reads one variation.
func (c *Client) Variation(ctx context.Context, productID, id int64) (Variation, error) {
	return getOne[Variation](ctx, c, idPath("products/%d/variations/%d", productID, id))
}

// CreateVariation adds a variation to a variable product.
func (c *Client) CreateVariation(ctx context.Context, productID int64, v Variation) (Variation, error) {
	return create[Variation](ctx, c, idPath("products/%d/variations", productID), v)
}

// UpdateVariation changes a variation.
func (c *Client) UpdateVariation(ctx context.Context, productID, id int64, u ProductUpdate) (Variation, error) {
	return send[Variation](ctx, c, "PUT", idPath("products/%d/variations/%d", productID, id), u)
}

// DeleteVariation deletes a variation (variations have no trash).
func (c *Client) DeleteVariation(ctx context.Context, productID, id int64) (Variation, error) {
	return remove[Variation](ctx, c, idPath("products/%d/variations/%d", productID, id), true)
}

// BatchVariations creates, updates and deletes variations of one product, 100 items a request.
func (c *Client) BatchVariations(ctx context.Context, productID int64, b Batch[Variation, ProductUpdate]) (BatchResult[Variation], error) {
	return runBatch[Variation](ctx, c, idPath("products/%d/variations/batch", productID), b)
}
