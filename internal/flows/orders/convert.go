package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/failure"
)

// ToCanonical converts a WooCommerce order into the canonical model. Amounts move decimal to
// decimal (never through float64) with the order's currency. What cannot be converted (a bad
// currency, a line without a positive quantity) is a Permanent MalformedPayload failure naming
// every problem: retrying cannot fix the store's data.
func ToCanonical(o woocommerce.Order) (canonical.Order, error) {
	c := converter{currency: o.Currency}
	if !canonical.ValidCurrency(o.Currency) {
		c.fail("currency %q is not an ISO 4217 code", o.Currency)
	}
	id := strconv.FormatInt(o.ID, 10)
	out := canonical.Order{
		StoreID:            id,
		Number:             o.Number,
		Status:             o.Status,
		Currency:           o.Currency,
		PricesIncludeTax:   o.PricesIncludeTax,
		Created:            o.DateCreatedGMT.Time,
		Modified:           o.DateModifiedGMT.Time,
		Customer:           customerOf(o),
		PaymentMethod:      o.PaymentMethod,
		PaymentMethodTitle: o.PaymentMethodTitle,
		TransactionID:      o.TransactionID,
		CustomerNote:       o.CustomerNote,
		DiscountTotal:      c.money(o.DiscountTotal),
		DiscountTax:        c.money(o.DiscountTax),
		TotalTax:           c.money(o.TotalTax),
		Total:              c.money(o.Total),
		Meta:               metaStrings(o.MetaData),
	}
	if !o.DatePaidGMT.IsZero() {
		paid := o.DatePaidGMT.Time
		out.Paid = &paid
	}
	for _, li := range o.LineItems {
		if li.Quantity <= 0 {
			c.fail("line %d (%s) has quantity %d", li.ID, li.SKU, li.Quantity)
		}
		out.Lines = append(out.Lines, canonical.OrderLine{
			StoreID: strconv.FormatInt(li.ID, 10), SKU: li.SKU, Name: li.Name,
			Quantity: decimal.NewFromInt(int64(li.Quantity)), TaxClass: li.TaxClass,
			Subtotal: c.money(li.Subtotal), SubtotalTax: c.money(li.SubtotalTax),
			Total: c.money(li.Total), TotalTax: c.money(li.TotalTax), Taxes: c.lineTaxes(li.Taxes),
		})
	}
	for _, s := range o.ShippingLines {
		out.Shipping = append(out.Shipping, canonical.ShippingLine{
			StoreID: strconv.FormatInt(s.ID, 10), MethodID: s.MethodID, MethodTitle: s.MethodTitle,
			Total: c.money(s.Total), TotalTax: c.money(s.TotalTax), Taxes: c.lineTaxes(s.Taxes),
		})
	}
	for _, fl := range o.FeeLines {
		out.Fees = append(out.Fees, canonical.FeeLine{
			StoreID: strconv.FormatInt(fl.ID, 10), Name: fl.Name, TaxClass: fl.TaxClass,
			Total: c.money(fl.Total), TotalTax: c.money(fl.TotalTax), Taxes: c.lineTaxes(fl.Taxes),
		})
	}
	for _, cl := range o.CouponLines {
		out.Coupons = append(out.Coupons, canonical.CouponLine{Code: cl.Code,
			Discount: c.money(cl.Discount), DiscountTax: c.money(cl.DiscountTax)})
	}
	for _, t := range o.TaxLines {
		out.Taxes = append(out.Taxes, canonical.TaxLine{
			RateID: strconv.FormatInt(t.RateID, 10), RateCode: t.RateCode, Label: t.Label, Compound: t.Compound,
			TaxTotal: c.money(t.TaxTotal), ShippingTaxTotal: c.money(t.ShippingTaxTotal),
		})
	}
	if err := errors.Join(c.errs...); err != nil {
		return canonical.Order{}, &failure.Error{Kind: failure.Permanent, Reason: failure.ReasonMalformedPayload,
			Message: fmt.Sprintf("store order %d cannot be read: %v", o.ID, err), Err: err}
	}
	return out, nil
}

// converter carries the order's currency and collects every problem, so one dead letter names
// them all.
type converter struct {
	currency string
	errs     []error
}

func (c *converter) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// money reads a WooCommerce amount; blank ("") is zero, as WooCommerce treats it in totals.
func (c *converter) money(m woocommerce.Money) canonical.Money {
	return canonical.Money{Amount: m.Decimal(), Currency: c.currency}
}

func (c *converter) lineTaxes(ts []woocommerce.LineTax) []canonical.LineTax {
	var out []canonical.LineTax
	for _, t := range ts {
		out = append(out, canonical.LineTax{RateID: strconv.FormatInt(t.ID, 10),
			Total: c.money(t.Total), Subtotal: c.money(t.Subtotal)})
	}
	return out
}

// customerOf reads the buyer: WooCommerce orders carry the account id (0 for guests) and the billing
// contact; the account's own email is not in the order, so the billing email stands for it.
func customerOf(o woocommerce.Order) canonical.Customer {
	c := canonical.Customer{
		FirstName: o.Billing.FirstName, LastName: o.Billing.LastName, Company: o.Billing.Company,
		Phone: o.Billing.Phone, Billing: address(o.Billing), Shipping: address(o.Shipping),
	}
	if o.CustomerID > 0 {
		c.StoreID = strconv.FormatInt(o.CustomerID, 10)
	}
	return c
}

func address(a woocommerce.Address) canonical.Address {
	return canonical.Address{FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
		Line1: a.Address1, Line2: a.Address2, City: a.City, State: a.State, Postcode: a.Postcode,
		Country: a.Country, Email: a.Email, Phone: a.Phone}
}

// metaStrings keeps meta values as text: strings unquoted, anything else as its JSON.
func metaStrings(md []woocommerce.MetaData) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for _, m := range md {
		var s string
		if json.Unmarshal(m.Value, &s) == nil {
			out[m.Key] = s
			continue
		}
		out[m.Key] = string(m.Value)
	}
	return out
}
