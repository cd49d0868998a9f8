package sim

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// Gateways that cannot pay money back through the API; an api_refund against them fails as it does
// in WooCommerce, with HTTP 500.
var manualGateways = []string{"bacs", "cheque", "cod"}

// RefundOrder refunds part or all of an order as POST /orders/{id}/refunds does.
func (s *Sim) RefundOrder(orderID int64, req woocommerce.RefundRequest) (woocommerce.Refund, error) {
	return result(s.refund(orderID, req))
}

// refund records a refund: its lines are negative and name the refunded order line in
// _refunded_item_id; the order gains a negative refunds[] entry, becomes refunded when nothing is
// left to refund, restocks when asked, and queues order.updated.
func (s *Sim) refund(orderID int64, req woocommerce.RefundRequest) (woocommerce.Refund, *restError) {
	if !req.Amount.Decimal().IsPositive() {
		return woocommerce.Refund{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return woocommerce.Refund{}, errf(http.StatusNotFound, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
	}
	amount := cents(req.Amount.Decimal())
	if amount.GreaterThan(s.refundable(o)) {
		return woocommerce.Refund{}, errf(http.StatusInternalServerError, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.")
	}
	apiRefund := req.APIRefund == nil || *req.APIRefund
	if apiRefund && slices.Contains(manualGateways, o.PaymentMethod) {
		return woocommerce.Refund{}, errf(http.StatusInternalServerError, "woocommerce_rest_cannot_create_order_refund",
			"The payment gateway for this order does not support automatic refunds.")
	}
	restock := req.APIRestock == nil || *req.APIRestock
	now := s.now()
	rf := woocommerce.Refund{ID: s.nextOrder, Amount: woocommerce.NewMoney(amount), Reason: req.Reason,
		RefundedBy: 1, RefundedPayment: apiRefund, MetaData: []woocommerce.MetaData{},
		LineItems: []woocommerce.LineItem{}, ShippingLines: []woocommerce.ShippingLine{},
		TaxLines: []woocommerce.TaxLine{}, FeeLines: []woocommerce.FeeLine{}}
	s.nextOrder++
	rf.DateCreated, rf.DateCreatedGMT = s.stamp(now)
	// line_items may name any order item: product lines, shipping lines and fee lines. Ids that
	// name none of them are skipped, as WooCommerce skips them.
	for _, rl := range req.LineItems {
		if i := slices.IndexFunc(o.LineItems, func(li woocommerce.LineItem) bool { return li.ID == rl.ID }); i >= 0 {
			rf.LineItems = append(rf.LineItems, s.refundLine(o.LineItems[i], rl))
			if restock && rl.Quantity > 0 {
				s.adjustStock(o.LineItems[i].ProductID, o.LineItems[i].VariationID, rl.Quantity)
			}
		}
		if i := slices.IndexFunc(o.ShippingLines, func(sl woocommerce.ShippingLine) bool { return sl.ID == rl.ID }); i >= 0 {
			taxes, tax := s.refundTaxes(rl)
			sl := o.ShippingLines[i]
			rf.ShippingLines = append(rf.ShippingLines, woocommerce.ShippingLine{ID: s.itemID(), MethodTitle: sl.MethodTitle,
				MethodID: sl.MethodID, Total: money(rl.RefundTotal.Decimal().Neg()), TotalTax: money(tax), Taxes: taxes,
				MetaData: s.refundedItem(sl.ID)})
		}
		if i := slices.IndexFunc(o.FeeLines, func(fl woocommerce.FeeLine) bool { return fl.ID == rl.ID }); i >= 0 {
			taxes, tax := s.refundTaxes(rl)
			fl := o.FeeLines[i]
			rf.FeeLines = append(rf.FeeLines, woocommerce.FeeLine{ID: s.itemID(), Name: fl.Name, TaxStatus: fl.TaxStatus,
				Total: money(rl.RefundTotal.Decimal().Neg()), TotalTax: money(tax), Taxes: taxes, MetaData: s.refundedItem(fl.ID)})
		}
	}
	o.refunds = append(o.refunds, rf)
	o.Refunds = append(o.Refunds, woocommerce.OrderRefund{ID: rf.ID, Reason: rf.Reason, Total: woocommerce.NewMoney(amount.Neg())})
	if s.refundable(o).IsZero() {
		o.Status = woocommerce.StatusRefunded
	}
	s.touchOrder(o)
	return cloneJSON(rf), nil
}

// refundable is what remains to refund on an order. Called with s.mu held.
func (s *Sim) refundable(o *order) decimal.Decimal {
	left := o.Total.Decimal()
	for _, r := range o.refunds {
		left = left.Sub(r.Amount.Decimal())
	}
	return left
}

// refundLine is a refunded product line: negative quantity, totals and taxes. Called with s.mu held.
func (s *Sim) refundLine(li woocommerce.LineItem, rl woocommerce.RefundRequestLine) woocommerce.LineItem {
	taxes, tax := s.refundTaxes(rl)
	out := woocommerce.LineItem{ID: s.itemID(), Name: li.Name, ProductID: li.ProductID, VariationID: li.VariationID,
		Quantity: -rl.Quantity, SKU: li.SKU, Subtotal: money(rl.RefundTotal.Decimal().Neg()),
		Total: money(rl.RefundTotal.Decimal().Neg()), SubtotalTax: money(tax), TotalTax: money(tax), Taxes: taxes,
		MetaData: s.refundedItem(li.ID)}
	if rl.Quantity > 0 {
		out.Price = woocommerce.Number{Decimal: out.Total.Decimal().Div(decimal.NewFromInt(int64(rl.Quantity))).Round(2)}
	}
	return out
}

// refundTaxes turns refund_tax into negative taxes[] and their sum.
func (s *Sim) refundTaxes(rl woocommerce.RefundRequestLine) ([]woocommerce.LineTax, decimal.Decimal) {
	taxes, sum := []woocommerce.LineTax{}, decimal.Zero
	for _, t := range rl.RefundTax {
		v := cents(t.RefundTotal.Decimal()).Neg()
		taxes = append(taxes, woocommerce.LineTax{ID: t.ID, Total: woocommerce.NewMoney(v), Subtotal: woocommerce.NewMoney(v)})
		sum = sum.Add(v)
	}
	return taxes, sum
}

// refundedItem is the meta WooCommerce puts on a refund item to name the order item it refunds.
// Called with s.mu held.
func (s *Sim) refundedItem(itemID int64) []woocommerce.MetaData {
	ref, _ := json.Marshal(itemID)
	return []woocommerce.MetaData{{ID: s.itemID(), Key: "_refunded_item_id", Value: ref}}
}

func refundMeta(r woocommerce.Refund) listed {
	return listed{id: r.ID, created: r.DateCreatedGMT.Time, modified: r.DateCreatedGMT.Time}
}

func (s *Sim) listRefunds(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r)
	if e != nil {
		return 0, nil, e
	}
	s.mu.Lock()
	o, ok := s.orders[pathID(r, "id")]
	var items []woocommerce.Refund
	if ok {
		items = cloneJSON(o.refunds)
	}
	s.mu.Unlock()
	if !ok {
		return 0, nil, errf(http.StatusNotFound, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
	}
	return http.StatusOK, paginate(w, r, lq, items, refundMeta), nil
}

func (s *Sim) getRefund(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[pathID(r, "id")]; ok {
		for _, rf := range o.refunds {
			if rf.ID == pathID(r, "rid") {
				return http.StatusOK, cloneJSON(rf), nil
			}
		}
	}
	return 0, nil, invalidID("shop_order_refund", http.StatusNotFound)
}

func (s *Sim) createRefund(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in woocommerce.RefundRequest
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	rf, e := s.refund(pathID(r, "id"), in)
	return http.StatusCreated, rf, e
}

func (s *Sim) listNotes(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[pathID(r, "id")]
	if !ok {
		return 0, nil, errf(http.StatusNotFound, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
	}
	notes := cloneJSON(o.notes)
	slices.Reverse(notes) // newest first, as WooCommerce lists them
	if notes == nil {
		notes = []woocommerce.OrderNote{}
	}
	return http.StatusOK, notes, nil
}

func (s *Sim) createNote(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in woocommerce.OrderNote
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	if in.Note == "" {
		return 0, nil, missingParam("note")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[pathID(r, "id")]
	if !ok {
		return 0, nil, errf(http.StatusNotFound, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
	}
	n := woocommerce.OrderNote{ID: s.nextOther, Author: "WooCommerce", Note: in.Note, CustomerNote: in.CustomerNote, AddedByUser: true}
	s.nextOther++
	n.DateCreated, n.DateCreatedGMT = s.stamp(s.now())
	o.notes = append(o.notes, n)
	return http.StatusCreated, n, nil
}
