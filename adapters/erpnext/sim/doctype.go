package sim

// docType is what the simulator knows of one DocType: how its documents are named, which fields are
// child tables, links, mandatory or unique, and the controller hooks ERPNext runs on save, submit
// and cancel. Hooks run under the site lock; each checks everything before it changes anything, so a
// refused submit leaves no trace, as a rolled-back Frappe request leaves none.
type docType struct {
	name        string
	submittable bool
	// series is a Frappe naming series such as "SAL-ORD-.YYYY.-"; nameField names the document from
	// a field (Item: item_code). With neither, names are random hashes as with autoname "hash".
	series    string
	nameField string
	// dedupeName suffixes a taken field-derived name instead of refusing it.
	dedupeName bool
	// tables maps a child table field to its child DocType.
	tables map[string]string
	// links maps a field to the DocType its value must name.
	links map[string]string
	// mandatory fields (fieldname -> label) must be set on every save.
	mandatory [][2]string
	// unique fields are enforced across all documents, cancelled ones too (a database index).
	unique []string
	// allowOnSubmit fields may change on a submitted document.
	allowOnSubmit map[string]bool
	// apiReadOnly doctypes are written by the ERP itself (Bin, GL Entry); REST writes get 403.
	apiReadOnly bool

	validate func(d doc) error
	// validateAfterSubmit checks a change to allow_on_submit fields of a submitted document.
	validateAfterSubmit func(d doc) error
	onSubmit            func(d doc) error
	onCancel            func(d doc) error
}

func (dt *docType) tableFor(childDoctype string) (string, bool) {
	for field, child := range dt.tables {
		if child == childDoctype {
			return field, true
		}
	}
	return "", false
}

// registry builds the doctypes the simulator models. Field names are ERPNext's (frappe/erpnext
// doctype JSON); the custom_ fields are the ones retailsync adds to a site.
func (s *Server) registry() map[string]*docType {
	types := []*docType{
		{name: "Company", nameField: "company_name", apiReadOnly: true},
		{name: "Account", nameField: "name", apiReadOnly: true},
		{name: "Warehouse", nameField: "name", apiReadOnly: true},
		{name: "Price List", nameField: "price_list_name", apiReadOnly: true},
		{
			name: "Customer", nameField: "customer_name", dedupeName: true,
			mandatory: [][2]string{{"customer_name", "Customer Name"}},
			unique:    []string{FieldStoreCustomerID},
			validate:  validateCustomer,
		},
		{
			name: "Item", nameField: "item_code",
			mandatory: [][2]string{{"item_code", "Item Code"}, {"item_group", "Item Group"}},
			validate:  validateItem,
		},
		{
			name:      "Item Price",
			links:     map[string]string{"item_code": "Item", "price_list": "Price List"},
			mandatory: [][2]string{{"item_code", "Item Code"}, {"price_list", "Price List"}, {"price_list_rate", "Rate"}},
			validate:  s.validateItemPrice,
		},
		{name: "Bin", apiReadOnly: true},
		{name: "GL Entry", series: "ACC-GLE-.YYYY.-", apiReadOnly: true},
		{
			name: "Sales Order", series: "SAL-ORD-.YYYY.-", submittable: true,
			tables:        map[string]string{"items": "Sales Order Item", "taxes": "Sales Taxes and Charges"},
			links:         map[string]string{"customer": "Customer", "company": "Company", "set_warehouse": "Warehouse", "selling_price_list": "Price List"},
			mandatory:     [][2]string{{"customer", "Customer"}},
			unique:        []string{FieldExternalOrderID},
			allowOnSubmit: map[string]bool{"delivery_date": true, FieldCorrelationID: true},
			validate:      s.validateSalesOrder,
			onSubmit:      s.submitSalesOrder,
			onCancel:      s.cancelSalesOrder,
		},
		{
			name: "Delivery Note", series: "MAT-DN-.YYYY.-", submittable: true,
			tables:    map[string]string{"items": "Delivery Note Item", "taxes": "Sales Taxes and Charges"},
			links:     map[string]string{"customer": "Customer", "company": "Company", "set_warehouse": "Warehouse"},
			mandatory: [][2]string{{"customer", "Customer"}},
			validate:  s.validateDeliveryNote,
			onSubmit:  s.submitDeliveryNote,
			onCancel:  s.cancelDeliveryNote,
		},
		{
			name: "Shipment", series: "SHIPMENT-.#####", submittable: true,
			tables: map[string]string{"shipment_delivery_note": "Shipment Delivery Note"},
			allowOnSubmit: map[string]bool{
				"carrier": true, "carrier_service": true, "awb_number": true, "tracking_url": true,
				"tracking_status": true, "tracking_status_info": true, "shipment_id": true,
			},
			validate:            s.validateShipment,
			validateAfterSubmit: validateTrackingStatus,
			onCancel:            func(doc) error { return nil },
		},
		{
			name: "Sales Invoice", series: "ACC-SINV-.YYYY.-", submittable: true,
			tables:    map[string]string{"items": "Sales Invoice Item", "taxes": "Sales Taxes and Charges"},
			links:     map[string]string{"customer": "Customer", "company": "Company", "debit_to": "Account", "additional_discount_account": "Account"},
			mandatory: [][2]string{{"customer", "Customer"}},
			validate:  s.validateSalesInvoice,
			onSubmit:  s.submitSalesInvoice,
			onCancel:  s.cancelSalesInvoice,
		},
		{
			name: "Payment Entry", series: "ACC-PAY-.YYYY.-", submittable: true,
			tables:    map[string]string{"references": "Payment Entry Reference"},
			links:     map[string]string{"party": "Customer", "paid_from": "Account", "paid_to": "Account", "company": "Company"},
			mandatory: [][2]string{{"payment_type", "Payment Type"}, {"party_type", "Party Type"}, {"party", "Party"}, {"paid_amount", "Paid Amount"}},
			validate:  s.validatePaymentEntry,
			onSubmit:  s.submitPaymentEntry,
			onCancel:  s.cancelPaymentEntry,
		},
	}
	out := make(map[string]*docType, len(types))
	for _, t := range types {
		out[t.name] = t
	}
	return out
}
