package sim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// order is a stored order with what hangs off it.
type order struct {
	woocommerce.Order
	refunds      []woocommerce.Refund
	notes        []woocommerce.OrderNote
	stockReduced bool
}

var orderStatuses = []string{
	woocommerce.StatusPending, woocommerce.StatusProcessing, woocommerce.StatusOnHold, woocommerce.StatusCompleted,
	woocommerce.StatusCancelled, woocommerce.StatusRefunded, woocommerce.StatusFailed, woocommerce.StatusTrash,
	woocommerce.StatusCheckoutDraft,
}

// OrderSpec is an order to place, from the storefront or from POST /orders.
type OrderSpec struct {
	CustomerID    int64                  `json:"customer_id"` // 0: guest checkout
	Billing       woocommerce.Address    `json:"billing"`
	Shipping      *woocommerce.Address   `json:"shipping,omitempty"` // nil: same as billing
	Lines         []LineSpec             `json:"lines"`
	ShippingLines []ShippingSpec         `json:"shipping_lines,omitempty"`
	Fees          []FeeSpec              `json:"fees,omitempty"`
	Coupon        string                 `json:"coupon,omitempty"`
	Currency      string                 `json:"currency,omitempty"` // default: the store's
	PaymentMethod string                 `json:"payment_method,omitempty"`
	Status        string                 `json:"status,omitempty"` // default pending
	Paid          bool                   `json:"paid,omitempty"`
	CustomerNote  string                 `json:"customer_note,omitempty"`
	CreatedVia    string                 `json:"created_via,omitempty"`
	MetaData      []woocommerce.MetaData `json:"meta_data,omitempty"`
}

// LineSpec orders a quantity of a product or variation (by id, or by SKU).
type LineSpec struct {
	ProductID   int64  `json:"product_id,omitempty"`
	VariationID int64  `json:"variation_id,omitempty"`
	SKU         string `json:"sku,omitempty"`
	Quantity    int    `json:"quantity"`
}

// ShippingSpec is a shipping charge before tax.
type ShippingSpec struct {
	MethodID    string            `json:"method_id"`
	MethodTitle string            `json:"method_title"`
	Total       woocommerce.Money `json:"total"`
}

// FeeSpec is a fee before tax.
type FeeSpec struct {
	Name    string            `json:"name"`
	Total   woocommerce.Money `json:"total"`
	Taxable bool              `json:"taxable"`
}

var gatewayTitles = map[string]string{
	"stripe": "Credit Card (Stripe)", "ppcp-gateway": "PayPal", "bacs": "Direct bank transfer",
	"cod": "Cash on delivery", "cheque": "Check payments",
}

// PlaceOrder creates an order as checkout or POST /orders would, priced to the cent, and queues
// order.created. A paid order reduces stock and moves to processing.
func (s *Sim) PlaceOrder(spec OrderSpec) (woocommerce.Order, error) {
	return result(s.placeOrder(spec))
}

func (s *Sim) placeOrder(spec OrderSpec) (woocommerce.Order, *restError) {
	if spec.Status == "" {
		spec.Status = woocommerce.StatusPending
	}
	if !slices.Contains(orderStatuses, spec.Status) {
		return woocommerce.Order{}, invalidParam("status", "status is not one of "+joinStatuses()+".")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var coupon *Coupon
	if spec.Coupon != "" {
		c, ok := s.coupons[spec.Coupon]
		if !ok {
			return woocommerce.Order{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_coupon", "Coupon \"%s\" does not exist!", spec.Coupon)
		}
		coupon = &c
	}
	if spec.CustomerID != 0 {
		if _, ok := s.customers[spec.CustomerID]; !ok {
			return woocommerce.Order{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
		}
	}
	o := &order{Order: woocommerce.Order{
		ID: s.nextOrder, Status: spec.Status, Currency: spec.Currency, Version: wcVersion,
		CreatedVia: spec.CreatedVia, CustomerID: spec.CustomerID, CustomerNote: spec.CustomerNote,
		Billing: spec.Billing, Shipping: spec.Billing, PaymentMethod: spec.PaymentMethod,
		PaymentMethodTitle: gatewayTitles[spec.PaymentMethod], MetaData: spec.MetaData,
		LineItems: []woocommerce.LineItem{}, ShippingLines: []woocommerce.ShippingLine{},
		FeeLines: []woocommerce.FeeLine{}, Refunds: []woocommerce.OrderRefund{},
	}}
	if o.Currency == "" {
		o.Currency = s.cfg.Currency
	}
	if o.CreatedVia == "" {
		o.CreatedVia = "rest-api"
	}
	if o.MetaData == nil {
		o.MetaData = []woocommerce.MetaData{}
	}
	if spec.Shipping != nil {
		o.Shipping = *spec.Shipping
	}
	o.Shipping.Email, o.Shipping.Phone = "", ""
	for i, l := range spec.Lines {
		li, e := s.lineItem(l, i)
		if e != nil {
			return woocommerce.Order{}, e
		}
		o.LineItems = append(o.LineItems, li)
	}
	for _, sh := range spec.ShippingLines {
		o.ShippingLines = append(o.ShippingLines, woocommerce.ShippingLine{ID: s.itemID(), MethodID: sh.MethodID,
			MethodTitle: sh.MethodTitle, Total: money(sh.Total.Decimal()), MetaData: []woocommerce.MetaData{}})
	}
	for _, f := range spec.Fees {
		status := "none"
		if f.Taxable {
			status = "taxable"
		}
		o.FeeLines = append(o.FeeLines, woocommerce.FeeLine{ID: s.itemID(), Name: f.Name, TaxStatus: status,
			Total: money(f.Total.Decimal()), MetaData: []woocommerce.MetaData{}})
	}
	s.nextOrder++
	o.Number = strconv.FormatInt(o.ID, 10)
	o.OrderKey = "wc_order_" + s.randomKey(13)
	s.price(&o.Order, coupon)
	now := s.now()
	o.DateCreated, o.DateCreatedGMT = s.stamp(now)
	o.DateModified, o.DateModifiedGMT = o.DateCreated, o.DateCreatedGMT
	s.orders[o.ID] = o
	if spec.Paid {
		s.markPaid(o, now)
	}
	s.reduceStockIfDue(o)
	s.emit("order", "created", o.ID)
	return cloneJSON(o.Order), nil
}

// lineItem prices one ordered line from the catalog. Called with s.mu held.
func (s *Sim) lineItem(l LineSpec, i int) (woocommerce.LineItem, *restError) {
	if l.Quantity <= 0 {
		return woocommerce.LineItem{}, invalidParam("line_items", "line_items["+strconv.Itoa(i)+"][quantity] must be greater than 0")
	}
	if l.SKU != "" && l.ProductID == 0 && l.VariationID == 0 {
		id := s.skuOwner(l.SKU, 0)
		if v, ok := s.variations[id]; ok {
			l.ProductID, l.VariationID = v.ParentID, v.ID
		} else {
			l.ProductID = id
		}
	}
	p, ok := s.products[l.ProductID]
	if !ok {
		return woocommerce.LineItem{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_product_id", "Product ID %d is invalid.", l.ProductID)
	}
	li := woocommerce.LineItem{ID: s.itemID(), Name: p.Name, ProductID: p.ID, Quantity: l.Quantity,
		SKU: p.SKU, Price: woocommerce.Number{Decimal: p.Price.Decimal()}, MetaData: []woocommerce.MetaData{}}
	if l.VariationID != 0 {
		v, ok := s.variations[l.VariationID]
		if !ok || v.ParentID != p.ID {
			return woocommerce.LineItem{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_variation_id", "Variation ID %d is invalid.", l.VariationID)
		}
		li.VariationID, li.SKU, li.Price = v.ID, v.SKU, woocommerce.Number{Decimal: v.Price.Decimal()}
		for _, a := range v.Attributes {
			li.Name += " - " + a.Option
		}
	}
	return li, nil
}

// markPaid is payment_complete: processing, date_paid. Called with s.mu held.
func (s *Sim) markPaid(o *order, now time.Time) {
	if o.DatePaidGMT.IsZero() {
		o.DatePaid, o.DatePaidGMT = s.stamp(now)
	}
	if o.Status == woocommerce.StatusPending || o.Status == woocommerce.StatusCheckoutDraft ||
		o.Status == woocommerce.StatusOnHold || o.Status == woocommerce.StatusFailed {
		o.Status = woocommerce.StatusProcessing
	}
	if o.TransactionID == "" && o.PaymentMethod == "stripe" {
		o.TransactionID = "ch_" + s.randomKey(24)
	}
}

// reduceStockIfDue takes ordered quantities off managed stock once, when the order reaches a paid
// status, as wc_maybe_reduce_stock_levels does. Called with s.mu held.
func (s *Sim) reduceStockIfDue(o *order) {
	if o.stockReduced || (o.Status != woocommerce.StatusProcessing && o.Status != woocommerce.StatusCompleted &&
		o.Status != woocommerce.StatusOnHold) {
		return
	}
	o.stockReduced = true
	for _, li := range o.LineItems {
		s.adjustStock(li.ProductID, li.VariationID, -li.Quantity)
	}
}

// adjustStock changes a managed stock by delta and queues product.updated. Called with s.mu held.
func (s *Sim) adjustStock(productID, variationID int64, delta int) {
	if v, ok := s.variations[variationID]; ok && v.ManageStock.Managed && !v.ManageStock.ByParent {
		q := *v.StockQuantity + delta
		productInput{ProductUpdate: woocommerce.ProductUpdate{StockQuantity: &q}}.apply(variationFields(v))
		s.touchVariation(v)
		return
	}
	if p, ok := s.products[productID]; ok && p.ManageStock.Managed {
		q := *p.StockQuantity + delta
		productInput{ProductUpdate: woocommerce.ProductUpdate{StockQuantity: &q}}.apply(productFields(p))
		s.touchProduct(p)
	}
}

func joinStatuses() string { return strings.Join(orderStatuses, ", ") }

// orderInput is a POST/PUT /orders body.
type orderInput struct {
	Status             *string                `json:"status"`
	Currency           *string                `json:"currency"`
	CustomerID         *int64                 `json:"customer_id"`
	CustomerNote       *string                `json:"customer_note"`
	Billing            *woocommerce.Address   `json:"billing"`
	Shipping           *woocommerce.Address   `json:"shipping"`
	PaymentMethod      *string                `json:"payment_method"`
	PaymentMethodTitle *string                `json:"payment_method_title"`
	TransactionID      *string                `json:"transaction_id"`
	SetPaid            *bool                  `json:"set_paid"`
	MetaData           []woocommerce.MetaData `json:"meta_data"`
	LineItems          []LineSpec             `json:"line_items"`
	ShippingLines      []ShippingSpec         `json:"shipping_lines"`
	FeeLines           []struct {
		Name      string            `json:"name"`
		Total     woocommerce.Money `json:"total"`
		TaxStatus string            `json:"tax_status"`
	} `json:"fee_lines"`
	CouponLines []struct {
		Code string `json:"code"`
	} `json:"coupon_lines"`
}

func (in orderInput) spec() OrderSpec {
	spec := OrderSpec{Lines: in.LineItems, ShippingLines: in.ShippingLines, MetaData: in.MetaData}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	spec.Status, spec.Currency, spec.CustomerNote = str(in.Status), str(in.Currency), str(in.CustomerNote)
	spec.PaymentMethod = str(in.PaymentMethod)
	if in.CustomerID != nil {
		spec.CustomerID = *in.CustomerID
	}
	if in.Billing != nil {
		spec.Billing = *in.Billing
	}
	spec.Shipping = in.Shipping
	spec.Paid = in.SetPaid != nil && *in.SetPaid
	for _, f := range in.FeeLines {
		spec.Fees = append(spec.Fees, FeeSpec{Name: f.Name, Total: f.Total, Taxable: f.TaxStatus != "none"})
	}
	if len(in.CouponLines) > 0 {
		spec.Coupon = in.CouponLines[0].Code
	}
	return spec
}

func orderMeta(o woocommerce.Order) listed {
	return listed{id: o.ID, created: o.DateCreatedGMT.Time, modified: o.DateModifiedGMT.Time, title: o.Number}
}

func (s *Sim) listOrders(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r)
	if e != nil {
		return 0, nil, e
	}
	statuses := statusFilter(lq.q, "status")
	customer, _ := strconv.ParseInt(lq.q.Get("customer"), 10, 64)
	productID, _ := strconv.ParseInt(lq.q.Get("product"), 10, 64)
	s.mu.Lock()
	var items []woocommerce.Order
	for _, o := range s.orders {
		switch {
		case statuses != nil && !statuses[o.Status],
			statuses == nil && o.Status == woocommerce.StatusTrash,
			lq.q.Has("customer") && o.CustomerID != customer,
			productID != 0 && !slices.ContainsFunc(o.LineItems, func(li woocommerce.LineItem) bool { return li.ProductID == productID }):
			continue
		}
		items = append(items, o.Order)
	}
	// Items share slices with the store until the page is copied, so the lock covers both.
	defer s.mu.Unlock()
	return http.StatusOK, cloneJSON(paginate(w, r, lq, items, orderMeta)), nil
}

func (s *Sim) getOrder(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[pathID(r, "id")]
	if !ok {
		return 0, nil, invalidID("shop_order", http.StatusNotFound)
	}
	return http.StatusOK, cloneJSON(o.Order), nil
}

func (s *Sim) createOrder(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in orderInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	o, e := s.placeOrder(in.spec())
	return http.StatusCreated, o, e
}

func (s *Sim) updateOrder(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in orderInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	o, e := s.updateOrderFrom(pathID(r, "id"), in)
	return http.StatusOK, o, e
}

// updateOrderFrom applies status, payment and note changes; line items are not edited after
// creation (see the package's list of what is not modelled).
func (s *Sim) updateOrderFrom(id int64, in orderInput) (woocommerce.Order, *restError) {
	if e := oneOf("status", in.Status, orderStatuses); e != nil {
		return woocommerce.Order{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return woocommerce.Order{}, invalidID("shop_order", http.StatusBadRequest)
	}
	now := s.now()
	if in.Status != nil {
		o.Status = *in.Status
		if o.Status == woocommerce.StatusProcessing || o.Status == woocommerce.StatusCompleted {
			if o.DatePaidGMT.IsZero() {
				o.DatePaid, o.DatePaidGMT = s.stamp(now)
			}
		}
		if o.Status == woocommerce.StatusCompleted && o.DateCompletedGMT.IsZero() {
			o.DateCompleted, o.DateCompletedGMT = s.stamp(now)
		}
	}
	if in.SetPaid != nil && *in.SetPaid {
		s.markPaid(o, now)
	}
	if in.TransactionID != nil {
		o.TransactionID = *in.TransactionID
	}
	if in.CustomerNote != nil {
		o.CustomerNote = *in.CustomerNote
	}
	if in.Billing != nil {
		o.Billing = *in.Billing
	}
	if in.Shipping != nil {
		o.Shipping = *in.Shipping
	}
	o.MetaData = s.mergeMeta(o.MetaData, in.MetaData)
	s.reduceStockIfDue(o)
	s.touchOrder(o)
	return cloneJSON(o.Order), nil
}

// mergeMeta updates meta entries by key (or id) and adds new ones. Called with s.mu held.
func (s *Sim) mergeMeta(have, in []woocommerce.MetaData) []woocommerce.MetaData {
	for _, m := range in {
		i := slices.IndexFunc(have, func(h woocommerce.MetaData) bool {
			return (m.ID != 0 && h.ID == m.ID) || (m.ID == 0 && h.Key == m.Key)
		})
		if i >= 0 {
			have[i].Value = m.Value
			continue
		}
		m.ID = s.nextOther
		s.nextOther++
		have = append(have, m)
	}
	return have
}

// touchOrder stamps a change and queues order.updated. Called with s.mu held.
func (s *Sim) touchOrder(o *order) {
	o.DateModified, o.DateModifiedGMT = s.stamp(s.now())
	s.emit("order", "updated", o.ID)
}

func (s *Sim) deleteOrder(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	o, e := s.deleteOrderByID(pathID(r, "id"), forceDelete(r))
	return http.StatusOK, o, e
}

func (s *Sim) deleteOrderByID(id int64, force bool) (woocommerce.Order, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return woocommerce.Order{}, invalidID("shop_order", http.StatusNotFound)
	}
	if force {
		delete(s.orders, id)
	} else {
		o.Status = woocommerce.StatusTrash
		o.DateModified, o.DateModifiedGMT = s.stamp(s.now())
	}
	s.emit("order", "deleted", id)
	return cloneJSON(o.Order), nil
}

func (s *Sim) batchOrders(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	return s.batch(r, batchOps{
		kind: "shop_order",
		create: itemCreate(func(in orderInput) (woocommerce.Order, *restError) {
			return s.placeOrder(in.spec())
		}),
		update: itemUpdate(s.updateOrderFrom),
		del:    func(id int64) (any, *restError) { return anyOf(s.deleteOrderByID(id, true)) },
	})
}
