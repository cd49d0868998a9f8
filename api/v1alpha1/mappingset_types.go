package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MappingSetSpec holds the master data rules that translate one store's vocabulary into one ERP's:
// SKUs, taxes, payment and shipping methods, order statuses, customers, stock locations and the
// general-ledger accounts that finance postings use. Several SyncFlows may share one MappingSet.
// Every section is optional; a flow that needs a section which is empty fails the affected record
// with reason Unmapped instead of guessing.
type MappingSetSpec struct {
	// company is the ERP company (ERPNext Company, Odoo res.company) that documents are posted to.
	// Empty means the default company of the ERP user the connection authenticates as.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Company string `json:"company,omitempty"`

	// currency says which order currencies the ERP accepts.
	// +optional
	Currency CurrencyPolicy `json:"currency,omitzero"`

	// skus maps store SKUs to ERP item codes: an exact table first, then rules in order.
	// +optional
	SKUs SKUMapping `json:"skus,omitzero"`

	// taxes maps each store tax rate (WooCommerce tax_lines[].rate_code, e.g. "US-CA-STATE TAX-1")
	// to the ERP tax account it is posted to. A tax rate that is not listed fails the order with
	// reason Unmapped: tax must reconcile, so it is never posted to a guessed account.
	// +listType=map
	// +listMapKey=rateCode
	// +kubebuilder:validation:MaxItems=256
	// +optional
	Taxes []TaxMapping `json:"taxes,omitempty"`

	// taxClasses maps store tax classes (WooCommerce line_items[].tax_class; "standard" for the
	// default class, which the store reports as an empty string) to an ERP Item Tax Template applied
	// to the order line.
	// +listType=map
	// +listMapKey=class
	// +kubebuilder:validation:MaxItems=64
	// +optional
	TaxClasses []TaxClassMapping `json:"taxClasses,omitempty"`

	// paymentMethods maps store payment gateways (WooCommerce payment_method, e.g. stripe, bacs, cod)
	// to the ERP mode of payment and the clearing account the money is received into.
	// +listType=map
	// +listMapKey=store
	// +kubebuilder:validation:MaxItems=64
	// +optional
	PaymentMethods []PaymentMethodMapping `json:"paymentMethods,omitempty"`

	// shippingMethods maps store shipping methods (WooCommerce shipping_lines[].method_id, e.g.
	// flat_rate, free_shipping, local_pickup) to an ERP item (a line on the order) or an account
	// (a charge row). A method that is not listed is charged to accounts.shipping when that is set.
	// +listType=map
	// +listMapKey=store
	// +kubebuilder:validation:MaxItems=64
	// +optional
	ShippingMethods []ShippingMethodMapping `json:"shippingMethods,omitempty"`

	// orderStatuses decides which store orders reach the ERP, what happens to them there, and which
	// status the store shows as the ERP fulfils them.
	// +optional
	OrderStatuses OrderStatusMapping `json:"orderStatuses,omitzero"`

	// customers decides which ERP customer an order is booked against.
	// +optional
	Customers CustomerMatching `json:"customers,omitzero"`

	// locations lists the ERP warehouses whose stock feeds the store's available-to-sell quantity.
	// Stock in warehouses that are not listed is never offered to the store.
	// +listType=map
	// +listMapKey=warehouse
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Locations []Location `json:"locations,omitempty"`

	// accounts names the general-ledger accounts for amounts that are not goods.
	// +optional
	Accounts GLAccounts `json:"accounts,omitzero"`

	// rounding says how amounts are rounded when the ERP and the store disagree by a rounding
	// difference.
	// +optional
	Rounding Rounding `json:"rounding,omitzero"`

	// expressions compute fields of ERP documents with CEL (https://cel.dev), the expression language
	// Kubernetes itself uses. Each expression is compiled and type-checked when the MappingSet is
	// reconciled; errors are reported in status with their path. Money amounts and quantities are
	// exact decimal strings (order.total == "29.35"); convert with double() only to compare.
	// The variables:
	//   order: id, number, status, currency, paymentMethod, customerNote, total, totalTax,
	//     discountTotal, shippingTotal, couponCodes (list), shippingMethods (list), billingCountry,
	//     shippingCountry, created (timestamp), meta (map of the store's metadata);
	//   line: sku, name, quantity, taxClass, total;
	//   customer: storeID ("" for guests), guest (bool), email (lower case), name, company, country;
	//   product: itemCode, name, type (Simple or Variable), group, disabled (bool), attributes (map).
	// +listType=map
	// +listMapKey=field
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Expressions []ComputedField `json:"expressions,omitempty"`
}

// CurrencyPolicy says which order currencies are posted to the ERP.
type CurrencyPolicy struct {
	// code is the ERP company's currency as an ISO 4217 code, e.g. USD.
	// +kubebuilder:validation:Pattern=`^[A-Z]{3}$`
	// +optional
	Code string `json:"code,omitempty"`

	// foreign decides what happens to an order in another currency than code. DeadLetter (the
	// default) fails it with reason Unmapped; Post books it in the order's currency and leaves the
	// conversion to the ERP's exchange rates.
	// +kubebuilder:validation:Enum=DeadLetter;Post
	// +kubebuilder:default=DeadLetter
	// +optional
	Foreign ForeignCurrencyPolicy `json:"foreign,omitempty"`
}

// ForeignCurrencyPolicy is what to do with an order whose currency is not the company's.
type ForeignCurrencyPolicy string

const (
	ForeignCurrencyDeadLetter ForeignCurrencyPolicy = "DeadLetter"
	ForeignCurrencyPost       ForeignCurrencyPolicy = "Post"
)

// SKUMapping maps store SKUs to ERP item codes.
type SKUMapping struct {
	// table lists exact pairs. It is consulted before rules.
	// +listType=map
	// +listMapKey=store
	// +kubebuilder:validation:MaxItems=10000
	// +optional
	Table []SKUPair `json:"table,omitempty"`

	// rules are tried in order for SKUs that are not in table; the first rule that produces an item
	// code wins.
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Rules []SKURule `json:"rules,omitempty"`

	// unmapped decides what happens to a SKU that neither table nor rules map. DeadLetter (the
	// default) fails the record with reason Unmapped, naming the SKU, so it can be replayed once the
	// MappingSet gains it; PassThrough uses the store SKU as the ERP item code unchanged.
	// +kubebuilder:validation:Enum=DeadLetter;PassThrough
	// +kubebuilder:default=DeadLetter
	// +optional
	Unmapped UnmappedSKUPolicy `json:"unmapped,omitempty"`
}

// UnmappedSKUPolicy is what to do with a SKU the MappingSet does not map.
type UnmappedSKUPolicy string

const (
	UnmappedSKUDeadLetter  UnmappedSKUPolicy = "DeadLetter"
	UnmappedSKUPassThrough UnmappedSKUPolicy = "PassThrough"
)

// SKUPair maps one store SKU to one ERP item code.
type SKUPair struct {
	// store is the SKU as the store knows it (WooCommerce product or variation sku).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Store string `json:"store"`

	// erp is the ERP item code (ERPNext Item name, Odoo product default_code).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	ERP string `json:"erp"`
}

// SKURule derives an ERP item code from a store SKU. Set exactly one of pattern or expression.
// +kubebuilder:validation:XValidation:rule="has(self.pattern) != has(self.expression)",message="set exactly one of pattern or expression"
// +kubebuilder:validation:XValidation:rule="!has(self.replacement) || has(self.pattern)",message="replacement is only used with pattern"
type SKURule struct {
	// pattern is an RE2 regular expression (https://github.com/google/re2/wiki/Syntax) that must
	// match the whole store SKU, e.g. `^WC-(.+)$`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Pattern string `json:"pattern,omitempty"`

	// replacement builds the ERP item code from pattern's groups: $1 or ${name}; $0 is the whole SKU.
	// Defaults to $0 (the SKU itself, for a rule that only accepts SKUs of a known shape).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Replacement string `json:"replacement,omitempty"`

	// expression is a CEL expression over the string variable `sku` that returns the ERP item code,
	// or "" when this rule does not map the SKU, e.g. `sku.startsWith("WC-") ? "ACME-" + sku.substring(3) : ""`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Expression string `json:"expression,omitempty"`
}

// TaxMapping maps one store tax rate to an ERP tax account.
type TaxMapping struct {
	// rateCode is the store's tax rate code (WooCommerce tax_lines[].rate_code), e.g. "US-CA-STATE TAX-1".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	RateCode string `json:"rateCode"`

	// account is the ERP account the tax is posted to (ERPNext account_head), e.g. "Sales Tax CA - ACME".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	Account string `json:"account"`

	// template is the ERP Sales Taxes and Charges Template the order uses when this rate applies.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Template string `json:"template,omitempty"`
}

// TaxClassMapping maps one store tax class to an ERP Item Tax Template.
type TaxClassMapping struct {
	// class is the store's tax class slug, e.g. reduced-rate, zero-rate; "standard" for the default class.
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9_-]*$`
	// +kubebuilder:validation:MaxLength=100
	Class string `json:"class"`

	// itemTaxTemplate is the ERP Item Tax Template set on order lines of this class.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	ItemTaxTemplate string `json:"itemTaxTemplate"`
}

// PaymentMethodMapping maps one store payment gateway to how the ERP books the money.
type PaymentMethodMapping struct {
	// store is the store's payment gateway id (WooCommerce payment_method), e.g. stripe, bacs, cod.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Store string `json:"store"`

	// modeOfPayment is the ERP Mode of Payment, e.g. "Credit Card", "Wire Transfer", "Cash".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	ModeOfPayment string `json:"modeOfPayment"`

	// account is the clearing account payments are received into until the provider settles them,
	// e.g. "Stripe Clearing - ACME".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	Account string `json:"account"`
}

// ShippingMethodMapping maps one store shipping method to an ERP item or account. Set exactly one
// of item or account.
// +kubebuilder:validation:XValidation:rule="has(self.item) != has(self.account)",message="set exactly one of item or account"
type ShippingMethodMapping struct {
	// store is the store's shipping method id (WooCommerce shipping_lines[].method_id), e.g. flat_rate.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Store string `json:"store"`

	// item is an ERP item added as an order line for the shipping charge, e.g. "Shipping".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Item string `json:"item,omitempty"`

	// account is the ERP account the shipping charge is posted to as a charge row.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Account string `json:"account,omitempty"`
}

// OrderStatusMapping maps order statuses in both directions.
type OrderStatusMapping struct {
	// toERP overrides, per store status, what the Orders flow does with an order in that status.
	// Statuses that are not listed keep their defaults: checkout-draft, pending (not paid yet) and
	// failed are skipped; processing, on-hold, completed and refunded create the ERP order;
	// cancelled and trash cancel it. A status that is neither listed nor known (a custom status a
	// plugin added) fails the order with reason Unmapped.
	// +listType=map
	// +listMapKey=status
	// +kubebuilder:validation:MaxItems=32
	// +optional
	ToERP []StoreStatusRule `json:"toERP,omitempty"`

	// toStore overrides, per ERP fulfilment state, the status the Fulfillment flow sets on the store
	// order. Defaults: PartiallyShipped keeps the status (the shipment is added as a note with its
	// tracking), Shipped sets completed, Cancelled sets cancelled, OnHold sets on-hold, Closed keeps
	// the status.
	// +listType=map
	// +listMapKey=erp
	// +kubebuilder:validation:MaxItems=8
	// +optional
	ToStore []ERPStatusRule `json:"toStore,omitempty"`

	// edits decides what happens when a store order changes after its ERP order was created.
	// UpdateDraft (the default) updates the ERP order while it is a draft and fails the change with
	// reason Conflict once it is submitted; CancelAndAmend cancels the submitted order and creates an
	// amendment; DeadLetter never changes a created order and parks every edit for a person.
	// +kubebuilder:validation:Enum=UpdateDraft;CancelAndAmend;DeadLetter
	// +kubebuilder:default=UpdateDraft
	// +optional
	Edits OrderEditPolicy `json:"edits,omitempty"`
}

// StoreStatusRule says what the Orders flow does with store orders in one status.
type StoreStatusRule struct {
	// status is the store order status, e.g. processing, on-hold, or a custom status slug.
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9_-]*$`
	// +kubebuilder:validation:MaxLength=20
	Status string `json:"status"`

	// action is Create (create the ERP order if it does not exist), Skip (leave the ERP alone) or
	// Cancel (cancel the ERP order if one exists).
	// +kubebuilder:validation:Enum=Create;Skip;Cancel
	Action OrderAction `json:"action"`
}

// OrderAction is what the Orders flow does in the ERP for a store order.
type OrderAction string

const (
	OrderActionCreate OrderAction = "Create"
	OrderActionSkip   OrderAction = "Skip"
	OrderActionCancel OrderAction = "Cancel"
)

// ERPStatusRule says which store status an ERP fulfilment state sets.
// +kubebuilder:validation:XValidation:rule="!(self.erp == 'PartiallyShipped' && has(self.store) && self.store == 'completed')",message="a partially shipped order must not be marked completed"
type ERPStatusRule struct {
	// erp is the ERP order's fulfilment state.
	// +kubebuilder:validation:Enum=OnHold;PartiallyShipped;Shipped;Cancelled;Closed
	ERP FulfillmentState `json:"erp"`

	// store is the store status to set. Empty keeps the store order's status unchanged.
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9_-]*$`
	// +kubebuilder:validation:MaxLength=20
	// +optional
	Store string `json:"store,omitempty"`
}

// FulfillmentState is the state of an ERP order as the Fulfillment flow sees it.
type FulfillmentState string

const (
	FulfillmentOnHold           FulfillmentState = "OnHold"
	FulfillmentPartiallyShipped FulfillmentState = "PartiallyShipped"
	FulfillmentShipped          FulfillmentState = "Shipped"
	FulfillmentCancelled        FulfillmentState = "Cancelled"
	FulfillmentClosed           FulfillmentState = "Closed"
)

// OrderEditPolicy is what happens to a store order edited after its ERP order exists.
type OrderEditPolicy string

const (
	OrderEditUpdateDraft    OrderEditPolicy = "UpdateDraft"
	OrderEditCancelAndAmend OrderEditPolicy = "CancelAndAmend"
	OrderEditDeadLetter     OrderEditPolicy = "DeadLetter"
)

// CustomerMatching decides which ERP customer an order is booked against.
type CustomerMatching struct {
	// matchBy is how a registered store customer is found in the ERP: Email (the default; compared
	// case-insensitively) or StoreCustomerID (the store's customer id kept in an ERP custom field).
	// Never by name: names are not unique.
	// +kubebuilder:validation:Enum=Email;StoreCustomerID
	// +kubebuilder:default=Email
	// +optional
	MatchBy CustomerMatchKey `json:"matchBy,omitempty"`

	// guestCustomer is the ERP customer that books every guest order (no store account), e.g.
	// "Web Guest". Empty means guests are matched by their billing email like registered customers.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	GuestCustomer string `json:"guestCustomer,omitempty"`

	// createMissing creates an ERP customer when none matches. When false, an order whose customer
	// does not exist fails with reason Unmapped.
	// +kubebuilder:default=true
	// +optional
	CreateMissing *bool `json:"createMissing,omitempty"`

	// customerGroup is the ERP Customer Group of created customers, e.g. "Individual".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	CustomerGroup string `json:"customerGroup,omitempty"`

	// territory is the ERP Territory of created customers, e.g. "United States".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Territory string `json:"territory,omitempty"`
}

// CustomerMatchKey names how store customers are found in the ERP.
type CustomerMatchKey string

const (
	MatchByEmail           CustomerMatchKey = "Email"
	MatchByStoreCustomerID CustomerMatchKey = "StoreCustomerID"
)

// Location is one ERP warehouse that feeds the store's stock.
type Location struct {
	// warehouse is the ERP warehouse (ERPNext Warehouse name, Odoo stock location), e.g. "Main - ACME".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	Warehouse string `json:"warehouse"`

	// safetyStock is how many units of every item this warehouse keeps back from the store, on top
	// of what is reserved. When the ERP also reports a safety stock for an item here, the larger wins.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000
	// +kubebuilder:default=0
	// +optional
	SafetyStock int32 `json:"safetyStock,omitempty"`

	// allocationPercent is the share of this warehouse's available stock offered to the store
	// (other channels get the rest). The result is rounded down to whole units per warehouse, so the
	// store is never offered a unit no single warehouse can ship.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=100
	// +optional
	AllocationPercent *int32 `json:"allocationPercent,omitempty"`
}

// GLAccounts names the general-ledger accounts for amounts that are not goods. Each is required only
// by the flows that post such an amount: an order with a discount and no discounts account fails
// with reason Unmapped.
type GLAccounts struct {
	// discounts is the account coupon and cart discounts are posted to, e.g. "Discounts - ACME".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Discounts string `json:"discounts,omitempty"`

	// shipping is the account shipping charges are posted to when shippingMethods does not list the
	// order's method, e.g. "Freight Out - ACME".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Shipping string `json:"shipping,omitempty"`

	// fees is the account order fees (WooCommerce fee_lines) are posted to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Fees string `json:"fees,omitempty"`

	// giftCards is the liability account gift card redemptions are posted against.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	GiftCards string `json:"giftCards,omitempty"`

	// rounding is the account rounding differences (see rounding.maxAdjustment) are written off to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=140
	// +optional
	Rounding string `json:"rounding,omitempty"`
}

// Rounding says how amounts are rounded and how large a rounding difference may be absorbed.
type Rounding struct {
	// mode is HalfUp (the default: halves round away from zero, as WooCommerce's PHP round() does)
	// or HalfEven (banker's rounding).
	// +kubebuilder:validation:Enum=HalfUp;HalfEven
	// +kubebuilder:default=HalfUp
	// +optional
	Mode RoundingMode `json:"mode,omitempty"`

	// precision is the number of decimal places amounts are rounded to. Empty means the currency's
	// own minor unit (2 for USD and EUR, 0 for JPY, 3 for KWD).
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=6
	// +optional
	Precision *int32 `json:"precision,omitempty"`

	// maxAdjustment is the largest difference, as a decimal amount in the order's currency, between
	// the store's total and the ERP's recomputed total that is written off to accounts.rounding. A
	// larger difference fails the order: it is not rounding. Empty or "0" absorbs nothing.
	// +kubebuilder:validation:Pattern=`^[0-9]{1,6}(\.[0-9]{1,6})?$`
	// +optional
	MaxAdjustment string `json:"maxAdjustment,omitempty"`
}

// RoundingMode names a rounding rule for halves.
type RoundingMode string

const (
	RoundHalfUp   RoundingMode = "HalfUp"
	RoundHalfEven RoundingMode = "HalfEven"
)

// ComputedField sets one field of a document from a CEL expression.
type ComputedField struct {
	// field is the field the expression computes; it decides the variables in scope and the result
	// type:
	//   order.include (bool; order, customer): false skips the order, e.g. test orders;
	//   order.remarks, order.costCenter, order.warehouse (string; order, customer);
	//   line.warehouse (string; order, customer, line);
	//   customer.group, customer.territory (string; customer, order): for created customers;
	//   product.publish (bool; product): false keeps an ERP item off the store.
	// An expression that returns "" for a string field leaves the field to its default.
	// +kubebuilder:validation:Enum=order.include;order.remarks;order.costCenter;order.warehouse;line.warehouse;customer.group;customer.territory;product.publish
	Field ComputedFieldName `json:"field"`

	// expression is the CEL expression, e.g. `"Web order " + order.number + " via " + order.paymentMethod`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Expression string `json:"expression"`
}

// ComputedFieldName names a field a CEL expression may compute.
type ComputedFieldName string

const (
	FieldOrderInclude      ComputedFieldName = "order.include"
	FieldOrderRemarks      ComputedFieldName = "order.remarks"
	FieldOrderCostCenter   ComputedFieldName = "order.costCenter"
	FieldOrderWarehouse    ComputedFieldName = "order.warehouse"
	FieldLineWarehouse     ComputedFieldName = "line.warehouse"
	FieldCustomerGroup     ComputedFieldName = "customer.group"
	FieldCustomerTerritory ComputedFieldName = "customer.territory"
	FieldProductPublish    ComputedFieldName = "product.publish"
)

// MappingSetStatus reports whether the MappingSet compiled and every error it has.
type MappingSetStatus struct {
	// observedGeneration is the metadata.generation the status describes; -1 until the first reconcile.
	// +kubebuilder:default=-1
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready is True when the MappingSet compiled and flows may use it. Stalled is True
	// while the spec has errors only a change to the spec can fix.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// errors lists what is wrong with the spec, each with its path (e.g. spec.skus.rules[2].expression).
	// At most 50 are kept; errorCount says how many there were.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Errors []MappingSetError `json:"errors,omitempty"`

	// errorCount is how many errors the spec has, including those not listed in errors.
	// +optional
	ErrorCount int32 `json:"errorCount,omitempty"`
}

// MappingSetError is one problem in the spec.
type MappingSetError struct {
	// path is the field path of the problem, e.g. spec.skus.rules[2].expression.
	// +kubebuilder:validation:MaxLength=256
	Path string `json:"path"`

	// message says what is wrong and, where it can, how to fix it.
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message"`
}

// Condition reasons a MappingSet reports.
const (
	// MappingSetCompiledReason: the spec compiled; Ready is True.
	MappingSetCompiledReason = "Compiled"
	// MappingSetInvalidReason: the spec has errors (listed in status.errors); Ready is False and
	// Stalled is True until the spec changes.
	MappingSetInvalidReason = "InvalidSpec"
)

// MappingSet holds the master data rules (SKUs, taxes, payments, shipping, statuses, customers,
// locations, accounts, rounding, computed fields) that SyncFlows apply when they move records between
// a store and an ERP.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ms,categories=retailsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Errors",type=integer,JSONPath=`.status.errorCount`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type MappingSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec holds the mapping rules.
	// +optional
	Spec MappingSetSpec `json:"spec,omitempty"`

	// status reports whether the rules compiled.
	// +kubebuilder:default={"observedGeneration":-1}
	// +optional
	Status MappingSetStatus `json:"status,omitempty"`
}

// MappingSetList is a list of MappingSets.
// +kubebuilder:object:root=true
type MappingSetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MappingSet `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MappingSet{}, &MappingSetList{})
}
