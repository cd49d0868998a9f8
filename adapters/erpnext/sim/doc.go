// Package sim is an ERPNext (Frappe) site in one process, for tests, the demo and benchmarks. It
// answers the REST API retailsync uses as a real site does, as far as documented in
// ../shared/reference/erp.md and checked against frappe/frappe and frappe/erpnext:
//
//   - Auth: "Authorization: token key:secret"; none is Guest (403), a wrong one 401.
//   - /api/resource/{DocType}[/{name}]: GET (lists with fields, filters in list or dict form, child
//     table filters, or_filters, order_by, limit_start, limit_page_length/limit, 0 = all), POST
//     (docstatus 1 inserts and submits), PUT (patch; docstatus 1 submits, 2 cancels; a stale
//     modified is TimestampMismatchError), DELETE (drafts only, 202).
//   - /api/method/: frappe.auth.get_logged_user, frappe.client.submit, frappe.client.cancel,
//     make_delivery_note, make_sales_invoice (from a Sales Order or a Delivery Note), make_sales_return.
//   - Errors as frappe.utils.response.report_error writes them: exc_type, exception and the
//     double-encoded _server_messages; 417 for the ValidationError family (MandatoryError,
//     LinkValidationError, UpdateAfterSubmitError, DocstatusTransitionError, NegativeStockError,
//     LinkExistsError, TimestampMismatchError), 404, 403, 409 DuplicateEntryError. Injected 429s are
//     plain text with Retry-After and X-RateLimit-* as frappe/rate_limiter.py sends them.
//   - docstatus: submitted documents take changes only to allow_on_submit fields, cancelled ones
//     none; cancelling is refused while a submitted document links back; amendments are named
//     "<original>-1", "-2".
//   - The unique custom field custom_external_order_id on Sales Order (and custom_store_customer_id
//     on Customer): a second insert is 409 DuplicateEntryError, or, with
//     Options.UniqueAsValidationError, 417 UniqueValidationError "... must be unique", which is what
//     Frappe itself raises for a unique field other than the name.
//   - Stock: Bins per item and warehouse; a submitted Sales Order reserves, a Delivery Note ships
//     (actual down, reservation released, delivered_qty and per_delivered on the order), refusing
//     negative stock and over-delivery; projected_qty by ERPNext's formula.
//   - Money: decimal throughout, currency precision 2 with half-even rounding (Frappe's default),
//     totals as net + taxes ("Actual" or "On Net Total") - discount_amount.
//   - Ledger: a Sales Invoice debits the receivable (party = customer) and credits income and tax
//     accounts; a credit note (is_return, return_against) posts the opposite against the invoice and
//     lowers its outstanding amount; a Payment Entry (Receive or Pay) moves money between the
//     receivable and paid_to/paid_from and lowers outstanding amounts; cancellation marks entries
//     is_cancelled and posts mirror entries, as ERPNext v13+ does.
//   - ERP-side activity from Go or /__sim/: items, accounts, warehouses, stock moves, price changes,
//     (partial) deliveries with Shipment tracking, tracking status changes; ledger and balances.
//   - Faults and request accounting per route through internal/simkit (/__sim/faults, /__sim/outage,
//     /__sim/requests).
//
// Not modelled (a real site differs here): datetimes are UTC, not the site's time zone; one company
// and one currency (no exchange rates); no permissions beyond Deny per doctype; no rounded totals or
// rounding adjustment; "On Previous Row" and other charge types; tax templates and item tax
// templates; discounts by percentage or on the net total; pricing rules; price list rates only fill
// lines that carry no rate; Stock Reservation Entries, batches, serial numbers, UOM conversion;
// stock valuation and stock GL entries (perpetual inventory); Delivery Note returns; Payment Entries
// against Sales Orders (advances) or other parties than Customer; payment terms and due dates;
// Shipment's mandatory addresses and contacts; Address and Contact doctypes (Customer.email_id is a
// plain field here); naming series settings; unknown list fields read as null instead of failing;
// the site-wide rate limiter's time budget (429s come from fault injection only).
package sim
