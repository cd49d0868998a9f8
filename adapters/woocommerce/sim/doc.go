// Package sim simulates a WooCommerce store's wc/v3 API and webhooks as documented in
// shared/reference/woocommerce.md, so that adapters, the worker, the demo and the benchmarks run
// without a real store. It serves the same routes, shapes, status codes and error codes; it delivers
// webhooks like WooCommerce (payload built at send time, coalesced while pending, unsigned ping on
// creation, PHP-escaped JSON, auto-disable after repeated failures); it injects faults and counts
// requests through internal/simkit; and tests drive storefront activity and read state through Go
// methods (PlaceOrder, PayOrder, RefundOrder, SetStock, DeliverPending, ...) or the sim-only /__sim/
// API.
//
// What it does not model (yet):
//   - Taxes: compound rates, tax classes other than standard, prices entered with tax, rounding at
//     subtotal level. Rates are matched on country and state only.
//   - Money across currencies: an order's currency is a label; product prices are the same numbers
//     in every currency. Coupons are only "percent" and "fixed_cart"; no free-shipping coupons.
//   - Shipping zones and methods: shipping is whatever the order says (flat rate in random orders).
//   - Editing an existing order's lines through PUT /orders/{id} (status, payment, addresses, notes
//     and meta only). Refund amounts are checked against the order's remaining total, not against
//     what each line still has to refund, and need not equal the sum of the refunded lines.
//   - Routes other than products, variations, orders, refunds, notes, customers, webhooks and
//     system_status (no coupons, categories, attributes, reviews, taxes, settings, reports).
//   - Filters other than page, per_page, offset, order, orderby, include, the four date filters,
//     status, sku, type, stock_status, customer, product and email; orderby price, popularity and
//     rating sort by date. _fields, _embed, context and _links are ignored.
//   - The product-shaped view of a variation: GET /products/{variation id} and variation webhook
//     payloads serve the variation resource (with parent_id), not a product with type "variation".
//   - Stock holding for pending orders, low-stock notices, the SKU lookup lock
//     (woocommerce_rest_product_not_created), and batch creates that fail yet leave a product.
//   - action.* and *.restored webhook events (accepted as topics, never fired); delivery logs;
//     Action Scheduler's parallel runners (deliveries are sent one at a time).
//   - Nonces are remembered per key for 15 minutes; WooCommerce keys them by timestamp, so two
//     requests in the same second with different nonces behave slightly differently there.
//   - TLS: the simulator serves plain HTTP; Basic auth needs an https listener (httptest) or
//     TLSTerminated (--tls-terminated).
package sim
