package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The wire types below follow wc/v3 field for field (json tags are WooCommerce's names). Read-only
// fields are kept so that the simulator can serve the same shapes; omitempty is used only where
// WooCommerce itself omits a field or where an update must not send it.

// MetaData is one entry of meta_data. Value is any JSON WooCommerce stored.
type MetaData struct {
	ID    int64           `json:"id,omitempty"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Address is a billing or shipping address. Email and Phone are set on billing only.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// Order statuses. checkout-draft is the Blocks checkout's unsubmitted cart; order.created fires for it.
const (
	StatusPending       = "pending"
	StatusProcessing    = "processing"
	StatusOnHold        = "on-hold"
	StatusCompleted     = "completed"
	StatusCancelled     = "cancelled"
	StatusRefunded      = "refunded"
	StatusFailed        = "failed"
	StatusTrash         = "trash"
	StatusCheckoutDraft = "checkout-draft"
)

// Order is a wc/v3 order.
type Order struct {
	ID                 int64          `json:"id,omitempty"`
	ParentID           int64          `json:"parent_id"`
	Number             string         `json:"number,omitempty"`
	OrderKey           string         `json:"order_key,omitempty"`
	CreatedVia         string         `json:"created_via,omitempty"`
	Version            string         `json:"version,omitempty"`
	Status             string         `json:"status,omitempty"`
	Currency           string         `json:"currency,omitempty"`
	PricesIncludeTax   bool           `json:"prices_include_tax"`
	DateCreated        Date           `json:"date_created"`
	DateCreatedGMT     Date           `json:"date_created_gmt"`
	DateModified       Date           `json:"date_modified"`
	DateModifiedGMT    Date           `json:"date_modified_gmt"`
	DatePaid           Date           `json:"date_paid"`
	DatePaidGMT        Date           `json:"date_paid_gmt"`
	DateCompleted      Date           `json:"date_completed"`
	DateCompletedGMT   Date           `json:"date_completed_gmt"`
	DiscountTotal      Money          `json:"discount_total"`
	DiscountTax        Money          `json:"discount_tax"`
	ShippingTotal      Money          `json:"shipping_total"`
	ShippingTax        Money          `json:"shipping_tax"`
	CartTax            Money          `json:"cart_tax"`
	Total              Money          `json:"total"`
	TotalTax           Money          `json:"total_tax"`
	CustomerID         int64          `json:"customer_id"`
	CustomerNote       string         `json:"customer_note"`
	Billing            Address        `json:"billing"`
	Shipping           Address        `json:"shipping"`
	PaymentMethod      string         `json:"payment_method"`
	PaymentMethodTitle string         `json:"payment_method_title"`
	TransactionID      string         `json:"transaction_id"`
	MetaData           []MetaData     `json:"meta_data"`
	LineItems          []LineItem     `json:"line_items"`
	TaxLines           []TaxLine      `json:"tax_lines"`
	ShippingLines      []ShippingLine `json:"shipping_lines"`
	FeeLines           []FeeLine      `json:"fee_lines"`
	CouponLines        []CouponLine   `json:"coupon_lines"`
	Refunds            []OrderRefund  `json:"refunds"`
	// SetPaid is write-only: on create or update it marks the order paid (processing, date_paid).
	SetPaid bool `json:"set_paid,omitempty"`
}

// LineTax is one tax rate's share of a line (taxes[]): rate id, total and subtotal.
type LineTax struct {
	ID       int64 `json:"id"`
	Total    Money `json:"total"`
	Subtotal Money `json:"subtotal"`
}

// LineItem is one product line. Subtotal is before discounts, Total after. Price is a JSON number.
type LineItem struct {
	ID          int64      `json:"id,omitempty"`
	Name        string     `json:"name"`
	ProductID   int64      `json:"product_id"`
	VariationID int64      `json:"variation_id"`
	Quantity    int        `json:"quantity"`
	TaxClass    string     `json:"tax_class"`
	Subtotal    Money      `json:"subtotal"`
	SubtotalTax Money      `json:"subtotal_tax"`
	Total       Money      `json:"total"`
	TotalTax    Money      `json:"total_tax"`
	Taxes       []LineTax  `json:"taxes"`
	MetaData    []MetaData `json:"meta_data"`
	SKU         string     `json:"sku"`
	Price       Number     `json:"price"`
}

// TaxLine sums one tax rate over the order. RateCode looks like "US-CA-STATE TAX-1".
type TaxLine struct {
	ID               int64      `json:"id,omitempty"`
	RateCode         string     `json:"rate_code"`
	RateID           int64      `json:"rate_id"`
	Label            string     `json:"label"`
	Compound         bool       `json:"compound"`
	TaxTotal         Money      `json:"tax_total"`
	ShippingTaxTotal Money      `json:"shipping_tax_total"`
	RatePercent      Number     `json:"rate_percent"`
	MetaData         []MetaData `json:"meta_data"`
}

// ShippingLine is one shipping method charged on the order.
type ShippingLine struct {
	ID          int64      `json:"id,omitempty"`
	MethodTitle string     `json:"method_title"`
	MethodID    string     `json:"method_id"`
	InstanceID  string     `json:"instance_id"`
	Total       Money      `json:"total"`
	TotalTax    Money      `json:"total_tax"`
	Taxes       []LineTax  `json:"taxes"`
	MetaData    []MetaData `json:"meta_data"`
}

// FeeLine is a fee (gift wrap, payment surcharge) charged on the order.
type FeeLine struct {
	ID        int64      `json:"id,omitempty"`
	Name      string     `json:"name"`
	TaxClass  string     `json:"tax_class"`
	TaxStatus string     `json:"tax_status"`
	Total     Money      `json:"total"`
	TotalTax  Money      `json:"total_tax"`
	Taxes     []LineTax  `json:"taxes"`
	MetaData  []MetaData `json:"meta_data"`
}

// CouponLine is a coupon applied to the order; Discount is already inside the line totals.
type CouponLine struct {
	ID          int64      `json:"id,omitempty"`
	Code        string     `json:"code"`
	Discount    Money      `json:"discount"`
	DiscountTax Money      `json:"discount_tax"`
	MetaData    []MetaData `json:"meta_data"`
}

// OrderRefund is the summary of a refund inside an order; Total is negative ("-10.00").
type OrderRefund struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
	Total  Money  `json:"total"`
}

// Refund is a wc/v3 order refund. Its line items carry negative quantities and totals and the
// `_refunded_item_id` meta naming the order line they refund.
type Refund struct {
	ID              int64          `json:"id,omitempty"`
	DateCreated     Date           `json:"date_created"`
	DateCreatedGMT  Date           `json:"date_created_gmt"`
	Amount          Money          `json:"amount"`
	Reason          string         `json:"reason"`
	RefundedBy      int64          `json:"refunded_by"`
	RefundedPayment bool           `json:"refunded_payment"`
	MetaData        []MetaData     `json:"meta_data"`
	LineItems       []LineItem     `json:"line_items"`
	ShippingLines   []ShippingLine `json:"shipping_lines"`
	TaxLines        []TaxLine      `json:"tax_lines"`
	FeeLines        []FeeLine      `json:"fee_lines"`
}

// RefundRequest creates a refund. APIRefund defaults to true in WooCommerce (the gateway really
// pays money back), so it is a pointer: the caller must decide, never inherit that default by accident.
type RefundRequest struct {
	Amount     Money               `json:"amount"`
	Reason     string              `json:"reason,omitempty"`
	RefundedBy int64               `json:"refunded_by,omitempty"`
	LineItems  []RefundRequestLine `json:"line_items,omitempty"`
	APIRefund  *bool               `json:"api_refund,omitempty"`
	APIRestock *bool               `json:"api_restock,omitempty"`
}

// RefundRequestLine refunds part of an order line (ID is the order line item id).
type RefundRequestLine struct {
	ID          int64              `json:"id"`
	Quantity    int                `json:"quantity,omitempty"`
	RefundTotal Money              `json:"refund_total"`
	RefundTax   []RefundRequestTax `json:"refund_tax,omitempty"`
}

// RefundRequestTax refunds one tax rate's share of a line (ID is the rate id).
type RefundRequestTax struct {
	ID          int64 `json:"id"`
	RefundTotal Money `json:"refund_total"`
}

// OrderNote is a note on an order; CustomerNote true emails the customer.
type OrderNote struct {
	ID             int64  `json:"id,omitempty"`
	Author         string `json:"author,omitempty"`
	DateCreated    Date   `json:"date_created"`
	DateCreatedGMT Date   `json:"date_created_gmt"`
	Note           string `json:"note"`
	CustomerNote   bool   `json:"customer_note"`
	AddedByUser    bool   `json:"added_by_user,omitempty"`
}

// Product types, statuses and stock statuses.
const (
	ProductSimple   = "simple"
	ProductVariable = "variable"
	ProductGrouped  = "grouped"
	ProductExternal = "external"

	StockInStock     = "instock"
	StockOutOfStock  = "outofstock"
	StockOnBackorder = "onbackorder"
)

// Product is a wc/v3 product. StockQuantity is null when stock is not managed. Only absolute stock
// writes exist: there is no atomic increment, so writers race with checkouts.
type Product struct {
	ID              int64       `json:"id,omitempty"`
	Name            string      `json:"name,omitempty"`
	Slug            string      `json:"slug,omitempty"`
	Type            string      `json:"type,omitempty"`
	Status          string      `json:"status,omitempty"`
	SKU             string      `json:"sku"`
	Price           Money       `json:"price"`
	RegularPrice    Money       `json:"regular_price"`
	SalePrice       Money       `json:"sale_price"`
	DateCreated     Date        `json:"date_created"`
	DateCreatedGMT  Date        `json:"date_created_gmt"`
	DateModified    Date        `json:"date_modified"`
	DateModifiedGMT Date        `json:"date_modified_gmt"`
	TaxStatus       string      `json:"tax_status,omitempty"`
	TaxClass        string      `json:"tax_class"`
	ManageStock     ManageStock `json:"manage_stock"`
	StockQuantity   *int        `json:"stock_quantity"`
	StockStatus     string      `json:"stock_status,omitempty"`
	Backorders      string      `json:"backorders,omitempty"`
	Variations      []int64     `json:"variations"`
	MetaData        []MetaData  `json:"meta_data"`
}

// Variation is a wc/v3 product variation; ManageStock may be "parent".
type Variation struct {
	ID              int64       `json:"id,omitempty"`
	ParentID        int64       `json:"parent_id,omitempty"`
	SKU             string      `json:"sku"`
	Status          string      `json:"status,omitempty"`
	Price           Money       `json:"price"`
	RegularPrice    Money       `json:"regular_price"`
	SalePrice       Money       `json:"sale_price"`
	DateCreated     Date        `json:"date_created"`
	DateCreatedGMT  Date        `json:"date_created_gmt"`
	DateModified    Date        `json:"date_modified"`
	DateModifiedGMT Date        `json:"date_modified_gmt"`
	TaxClass        string      `json:"tax_class"`
	ManageStock     ManageStock `json:"manage_stock"`
	StockQuantity   *int        `json:"stock_quantity"`
	StockStatus     string      `json:"stock_status,omitempty"`
	Backorders      string      `json:"backorders,omitempty"`
	Attributes      []Attribute `json:"attributes"`
	MetaData        []MetaData  `json:"meta_data"`
}

// Attribute is a variation's chosen option (Color: Black).
type Attribute struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Option string `json:"option"`
}

// ManageStock is a product's or variation's manage_stock: a bool, or "parent" on a variation whose
// stock the parent manages.
type ManageStock struct {
	Managed  bool
	ByParent bool
}

func (m ManageStock) MarshalJSON() ([]byte, error) {
	if m.ByParent {
		return []byte(`"parent"`), nil
	}
	return json.Marshal(m.Managed)
}

func (m *ManageStock) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true":
		*m = ManageStock{Managed: true}
	case "false", "null":
		*m = ManageStock{}
	case `"parent"`:
		*m = ManageStock{Managed: true, ByParent: true}
	default:
		return fmt.Errorf("invalid manage_stock %s", b)
	}
	return nil
}

// Customer is a wc/v3 customer (a registered account; guests have no customer record).
type Customer struct {
	ID               int64      `json:"id,omitempty"`
	DateCreated      Date       `json:"date_created"`
	DateCreatedGMT   Date       `json:"date_created_gmt"`
	DateModified     Date       `json:"date_modified"`
	DateModifiedGMT  Date       `json:"date_modified_gmt"`
	Email            string     `json:"email"`
	FirstName        string     `json:"first_name"`
	LastName         string     `json:"last_name"`
	Role             string     `json:"role,omitempty"`
	Username         string     `json:"username,omitempty"`
	Billing          Address    `json:"billing"`
	Shipping         Address    `json:"shipping"`
	IsPayingCustomer bool       `json:"is_paying_customer"`
	MetaData         []MetaData `json:"meta_data"`
}

// Webhook statuses.
const (
	WebhookActive   = "active"
	WebhookPaused   = "paused"
	WebhookDisabled = "disabled"
)

// Webhook is a wc/v3 webhook. Secret signs deliveries; never log a Webhook with %v.
type Webhook struct {
	ID              int64    `json:"id,omitempty"`
	Name            string   `json:"name,omitempty"`
	Status          string   `json:"status,omitempty"`
	Topic           string   `json:"topic,omitempty"`
	Resource        string   `json:"resource,omitempty"`
	Event           string   `json:"event,omitempty"`
	Hooks           []string `json:"hooks,omitempty"`
	DeliveryURL     string   `json:"delivery_url,omitempty"`
	Secret          string   `json:"secret,omitempty"`
	APIVersion      string   `json:"api_version,omitempty"`
	DateCreated     Date     `json:"date_created"`
	DateCreatedGMT  Date     `json:"date_created_gmt"`
	DateModified    Date     `json:"date_modified"`
	DateModifiedGMT Date     `json:"date_modified_gmt"`
}

// WebhookUpdate changes the named fields of a webhook; nil fields are left as they are.
type WebhookUpdate struct {
	Name        *string `json:"name,omitempty"`
	Status      *string `json:"status,omitempty"`
	Topic       *string `json:"topic,omitempty"`
	DeliveryURL *string `json:"delivery_url,omitempty"`
	Secret      *string `json:"secret,omitempty"`
}

// SystemStatus is the part of GET /system_status a connection probe reads.
type SystemStatus struct {
	Environment struct {
		HomeURL    string `json:"home_url"`
		SiteURL    string `json:"site_url"`
		Version    string `json:"version"`
		WPVersion  string `json:"wp_version"`
		PHPVersion string `json:"php_version"`
		DefaultTZ  string `json:"default_timezone"`
	} `json:"environment"`
	Settings struct {
		Currency         string `json:"currency"`
		CurrencySymbol   string `json:"currency_symbol"`
		NumberOfDecimals int    `json:"number_of_decimals"`
		TaxesEnabled     bool   `json:"taxes_enabled"`
	} `json:"settings"`
}

// APIError is WooCommerce's error body: {"code","message","data":{"status",...}}.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Status     int               `json:"status"`
		ResourceID int64             `json:"resource_id,omitempty"`
		UniqueSKU  string            `json:"unique_sku,omitempty"`
		Params     map[string]string `json:"params,omitempty"`
	} `json:"data"`
}
