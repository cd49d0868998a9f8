package erpnext

import (
	"context"

	"github.com/shopspring/decimal"
)

// Item is an ERPNext Item; its name is its item_code.
type Item struct {
	Name        string `json:"name"`
	ItemCode    string `json:"item_code"`
	ItemName    string `json:"item_name"`
	ItemGroup   string `json:"item_group"`
	StockUOM    string `json:"stock_uom"`
	IsStockItem int    `json:"is_stock_item"`
	HasVariants int    `json:"has_variants"`
	VariantOf   string `json:"variant_of"`
	Disabled    int    `json:"disabled"`
	Modified    string `json:"modified"`
}

// ItemFields are the Item fields the client reads.
var ItemFields = []string{"name", "item_code", "item_name", "item_group", "stock_uom", "is_stock_item", "has_variants", "variant_of", "disabled", "modified"}

// ItemPrice is one rate of an item on a price list. An item can have several (per price list, per
// validity window), so they are read by filter, never by a guessed name.
type ItemPrice struct {
	Name          string          `json:"name"`
	ItemCode      string          `json:"item_code"`
	PriceList     string          `json:"price_list"`
	PriceListRate decimal.Decimal `json:"price_list_rate"`
	Currency      string          `json:"currency"`
	UOM           string          `json:"uom"`
	ValidFrom     string          `json:"valid_from"`
	ValidUpto     string          `json:"valid_upto"`
	Modified      string          `json:"modified"`
}

// ItemPriceFields are the Item Price fields the client reads.
var ItemPriceFields = []string{"name", "item_code", "price_list", "price_list_rate", "currency", "uom", "valid_from", "valid_upto", "modified"}

// GetItem reads one item by item code.
func (c *Client) GetItem(ctx context.Context, itemCode string) (Item, error) {
	var it Item
	err := c.Get(ctx, "Item", itemCode, &it)
	return it, err
}

// ItemPrices reads the prices of the given items on a price list (every item when none is given).
func (c *Client) ItemPrices(ctx context.Context, priceList string, itemCodes ...string) ([]ItemPrice, error) {
	filters := []Filter{Eq("price_list", priceList)}
	if len(itemCodes) > 0 {
		filters = append(filters, In("item_code", itemCodes))
	}
	return ListAll[ItemPrice](ctx, c, "Item Price", ListOptions{Fields: ItemPriceFields, Filters: filters, OrderBy: "item_code asc, valid_from desc"}, 0)
}
