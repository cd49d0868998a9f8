package sim

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// PayOrder is a successful payment: processing, date_paid, stock reduced, order.updated queued.
func (s *Sim) PayOrder(id int64) (woocommerce.Order, error) {
	return s.changeOrder(id, func(o *order) {
		s.markPaid(o, s.now())
		s.reduceStockIfDue(o)
	})
}

// CompleteOrder marks an order shipped and completed.
func (s *Sim) CompleteOrder(id int64) (woocommerce.Order, error) {
	return s.changeOrder(id, func(o *order) {
		o.Status = woocommerce.StatusCompleted
		o.DateCompleted, o.DateCompletedGMT = s.stamp(s.now())
		s.reduceStockIfDue(o)
	})
}

func (s *Sim) changeOrder(id int64, change func(*order)) (woocommerce.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return woocommerce.Order{}, invalidID("shop_order", http.StatusNotFound)
	}
	change(o)
	s.touchOrder(o)
	return cloneJSON(o.Order), nil
}

// SetStock writes a managed stock quantity on a product or variation, as a stock-keeper in wp-admin
// would; it queues product.updated.
func (s *Sim) SetStock(id int64, quantity int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := productInput{ProductUpdate: woocommerce.ProductUpdate{StockQuantity: &quantity,
		ManageStock: &woocommerce.ManageStock{Managed: true}}}
	if v, ok := s.variations[id]; ok {
		in.apply(variationFields(v))
		s.touchVariation(v)
		return nil
	}
	if p, ok := s.products[id]; ok {
		in.apply(productFields(p))
		s.touchProduct(p)
		return nil
	}
	return invalidID("product", http.StatusNotFound)
}

// Order returns an order as GET /orders/{id} would.
func (s *Sim) Order(id int64) (woocommerce.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return woocommerce.Order{}, false
	}
	return cloneJSON(o.Order), true
}

// Orders returns every order, oldest first.
func (s *Sim) Orders() []woocommerce.Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]woocommerce.Order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, cloneJSON(o.Order))
	}
	slices.SortFunc(out, func(a, b woocommerce.Order) int { return int(a.ID - b.ID) })
	return out
}

// Product returns a product as GET /products/{id} would.
func (s *Sim) Product(id int64) (woocommerce.Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return woocommerce.Product{}, false
	}
	return cloneJSON(*p), true
}

// Variation returns a variation.
func (s *Sim) Variation(id int64) (woocommerce.Variation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.variations[id]
	if !ok {
		return woocommerce.Variation{}, false
	}
	return cloneJSON(*v), true
}

// shoppers are the addresses random orders ship to: taxed in several ways and currencies.
var shoppers = []struct {
	addr     woocommerce.Address
	currency string
}{
	{woocommerce.Address{FirstName: "Ana", LastName: "García", Address1: "1 Market St", City: "San Francisco", State: "CA", Postcode: "94105", Country: "US", Email: "ana@example.com", Phone: "415-555-0100"}, "USD"},
	{woocommerce.Address{FirstName: "Ben", LastName: "Okafor", Address1: "350 5th Ave", City: "New York", State: "NY", Postcode: "10118", Country: "US", Email: "ben@example.com"}, "USD"},
	{woocommerce.Address{FirstName: "Jürgen", LastName: "Weiß", Address1: "Unter den Linden 1", City: "Berlin", Postcode: "10117", Country: "DE", Email: "juergen@example.de"}, "EUR"},
	{woocommerce.Address{FirstName: "Chloé", LastName: "Smith", Address1: "10 Downing St", City: "London", Postcode: "SW1A 2AA", Country: "GB", Email: "chloe@example.co.uk"}, "GBP"},
	{woocommerce.Address{FirstName: "Dev", LastName: "Patel", Address1: "1 Main St", City: "Austin", State: "TX", Postcode: "73301", Country: "US", Email: "dev@example.com"}, "USD"},
}

// RandomOrder draws a storefront order from the catalog: one to four lines, shipping, sometimes a
// fee or a coupon, a guest or a registered customer, paid or not. It is deterministic for a seed.
func (s *Sim) RandomOrder() OrderSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sellable []LineSpec
	for _, p := range s.products {
		if p.Status != "publish" {
			continue
		}
		if p.Type == woocommerce.ProductVariable {
			for _, vid := range p.Variations {
				sellable = append(sellable, LineSpec{ProductID: p.ID, VariationID: vid})
			}
			continue
		}
		sellable = append(sellable, LineSpec{ProductID: p.ID})
	}
	slices.SortFunc(sellable, func(a, b LineSpec) int {
		return cmp.Or(cmp.Compare(a.ProductID, b.ProductID), cmp.Compare(a.VariationID, b.VariationID))
	})
	shopper := shoppers[s.rng.IntN(len(shoppers))]
	spec := OrderSpec{Billing: shopper.addr, Currency: shopper.currency, PaymentMethod: "stripe", CreatedVia: "checkout",
		ShippingLines: []ShippingSpec{{MethodID: "flat_rate", MethodTitle: "Flat rate", Total: woocommerce.NewMoney(decimal.RequireFromString("7.50"))}},
		Paid:          s.rng.Float64() < 0.8}
	for i := 0; i < 1+s.rng.IntN(4) && len(sellable) > 0; i++ {
		l := sellable[s.rng.IntN(len(sellable))]
		l.Quantity = 1 + s.rng.IntN(3)
		spec.Lines = append(spec.Lines, l)
	}
	if s.rng.Float64() < 0.3 {
		spec.Fees = append(spec.Fees, FeeSpec{Name: "Gift wrap", Total: woocommerce.NewMoney(decimal.RequireFromString("3.95")), Taxable: true})
	}
	switch s.rng.IntN(4) {
	case 0:
		spec.Coupon = "save10"
	case 1:
		spec.Coupon = "take5"
	}
	if s.rng.Float64() < 0.2 {
		spec.PaymentMethod = "bacs"
		spec.Paid = false
		spec.Status = woocommerce.StatusOnHold
	}
	if s.rng.Float64() < 0.05 {
		spec.Status, spec.Paid = woocommerce.StatusCheckoutDraft, false
	}
	var ids []int64
	for id := range s.customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > 0 && s.rng.Float64() < 0.5 {
		c := s.customers[ids[s.rng.IntN(len(ids))]]
		spec.CustomerID = c.ID
		spec.Billing.FirstName, spec.Billing.LastName, spec.Billing.Email = c.FirstName, c.LastName, c.Email
	}
	return spec
}

// RunActivity places random orders at ordersPerSecond until ctx ends; now and then it refunds part
// of an earlier paid order or restocks a product, so every flow has something to carry.
func (s *Sim) RunActivity(ctx context.Context, ordersPerSecond float64) {
	if ordersPerSecond <= 0 {
		return
	}
	lim := rate.NewLimiter(rate.Limit(ordersPerSecond), 1)
	for lim.Wait(ctx) == nil {
		o, err := s.PlaceOrder(s.RandomOrder())
		if err != nil {
			s.log.Info("Could not place a storefront order", "error", err)
			continue
		}
		s.mu.Lock()
		refund, restock := s.rng.Float64() < 0.1, s.rng.Float64() < 0.1
		s.mu.Unlock()
		if refund && o.Status == woocommerce.StatusProcessing && len(o.LineItems) > 0 {
			s.refundFirstLine(o)
		}
		if restock && len(o.LineItems) > 0 {
			li := o.LineItems[0]
			id := li.ProductID
			if li.VariationID != 0 {
				id = li.VariationID
			}
			_ = s.SetStock(id, 100)
		}
	}
}

// refundFirstLine refunds one unit of an order's first line with its taxes.
func (s *Sim) refundFirstLine(o woocommerce.Order) {
	li := o.LineItems[0]
	unit := li.Total.Decimal().Div(decimal.NewFromInt(int64(li.Quantity))).Round(2)
	line := woocommerce.RefundRequestLine{ID: li.ID, Quantity: 1, RefundTotal: woocommerce.NewMoney(unit)}
	amount := unit
	for _, t := range li.Taxes {
		tax := t.Total.Decimal().Div(decimal.NewFromInt(int64(li.Quantity))).Round(2)
		line.RefundTax = append(line.RefundTax, woocommerce.RefundRequestTax{ID: t.ID, RefundTotal: woocommerce.NewMoney(tax)})
		amount = amount.Add(tax)
	}
	if _, err := s.RefundOrder(o.ID, woocommerce.RefundRequest{Amount: woocommerce.NewMoney(amount),
		Reason: "Customer returned one item", LineItems: []woocommerce.RefundRequestLine{line}}); err != nil {
		s.log.Info("Could not refund a storefront order", "order", o.ID, "error", err)
	}
}
