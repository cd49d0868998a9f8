package mapping

import (
	"fmt"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/failure"
)

// TaxAccount returns the mapping for a store tax rate code. An unlisted rate fails with reason
// Unmapped: tax is never posted to a guessed account.
func (m *Mapper) TaxAccount(rateCode string) (v1alpha1.TaxMapping, error) {
	t, ok := m.taxes[rateCode]
	if !ok {
		return t, m.notMapped(fmt.Sprintf("tax rate %q", rateCode), nil)
	}
	return t, nil
}

// ItemTaxTemplate returns the ERP Item Tax Template for a store tax class ("" is the standard
// class), or "" when the MappingSet lists none and the item's own ERP tax settings apply.
func (m *Mapper) ItemTaxTemplate(taxClass string) string {
	if taxClass == "" {
		taxClass = "standard"
	}
	return m.taxClasses[taxClass].ItemTaxTemplate
}

// PaymentMethod returns the mode of payment and clearing account for a store payment gateway.
func (m *Mapper) PaymentMethod(gateway string) (v1alpha1.PaymentMethodMapping, error) {
	p, ok := m.payments[gateway]
	if !ok {
		return p, m.notMapped(fmt.Sprintf("payment method %q", gateway), nil)
	}
	return p, nil
}

// ShippingMethod returns how a store shipping method is charged in the ERP: the listed item or
// account, else accounts.shipping as the account.
func (m *Mapper) ShippingMethod(methodID string) (v1alpha1.ShippingMethodMapping, error) {
	if s, ok := m.shipping[methodID]; ok {
		return s, nil
	}
	if a := m.spec.Accounts.Shipping; a != "" {
		return v1alpha1.ShippingMethodMapping{Store: methodID, Account: a}, nil
	}
	return v1alpha1.ShippingMethodMapping{}, m.notMapped(fmt.Sprintf("shipping method %q", methodID),
		fmt.Errorf("list it in shippingMethods or set accounts.shipping"))
}

// GLPurpose names an amount that is not goods and needs its own account.
type GLPurpose string

const (
	GLDiscounts GLPurpose = "discounts"
	GLShipping  GLPurpose = "shipping"
	GLFees      GLPurpose = "fees"
	GLGiftCards GLPurpose = "giftCards"
	GLRounding  GLPurpose = "rounding"
)

// GLAccount returns the account for purpose, failing with reason Unmapped when the MappingSet has none.
func (m *Mapper) GLAccount(purpose GLPurpose) (string, error) {
	a := m.spec.Accounts
	account := map[GLPurpose]string{GLDiscounts: a.Discounts, GLShipping: a.Shipping, GLFees: a.Fees,
		GLGiftCards: a.GiftCards, GLRounding: a.Rounding}[purpose]
	if account == "" {
		return "", m.notMapped(fmt.Sprintf("the %s account (accounts.%s)", purpose, purpose), nil)
	}
	return account, nil
}

// CheckCurrency accepts an order currency when it is the company's, when the MappingSet names no
// company currency, or when currency.foreign is Post.
func (m *Mapper) CheckCurrency(currency string) error {
	c := m.spec.Currency
	if c.Code == "" || c.Code == currency || c.Foreign == v1alpha1.ForeignCurrencyPost {
		return nil
	}
	return m.notMapped(fmt.Sprintf("currency %s", currency),
		fmt.Errorf("the company currency is %s and currency.foreign is DeadLetter", c.Code))
}

// Round rounds an amount to rounding.precision, or to its currency's minor unit, with rounding.mode.
func (m *Mapper) Round(x canonical.Money) canonical.Money {
	if p := m.spec.Rounding.Precision; p != nil {
		return x.Round(*p, m.roundingMode)
	}
	return x.RoundToCurrency(m.roundingMode)
}

// RoundingAdjustment returns the difference between what the store charged and what the ERP
// computed (store - ERP, rounded) when it is small enough to write off to accounts.rounding. A larger
// difference is not rounding: it fails Permanent with reason ValidationFailed so a person looks.
func (m *Mapper) RoundingAdjustment(storeTotal, erpTotal canonical.Money) (canonical.Money, error) {
	diff, err := storeTotal.Sub(erpTotal)
	if err != nil {
		return canonical.Money{}, failure.Permanentf(failure.ReasonValidation, "rounding adjustment: %v", err)
	}
	diff = m.Round(diff)
	if diff.Amount.Abs().GreaterThan(m.maxAdjustment) {
		return canonical.Money{}, failure.Permanentf(failure.ReasonValidation,
			"the ERP total %s differs from the store total %s by %s, more than rounding.maxAdjustment %s of MappingSet %s",
			erpTotal, storeTotal, diff, m.maxAdjustment, m.name)
	}
	return diff, nil
}
