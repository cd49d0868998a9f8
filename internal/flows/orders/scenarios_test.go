package orders_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	wcsim "github.com/retailsync/retailsync/adapters/woocommerce/sim"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/flows/orders"
	"github.com/retailsync/retailsync/internal/store"
)

var smallCatalog = wcsim.Catalog{SimpleProducts: 3}

// caBuyer is taxed by two stacked rates (state and county).
var caBuyer = woocommerce.Address{FirstName: "Ana", LastName: "García", Address1: "1 Market St", City: "San Francisco",
	State: "CA", Postcode: "94105", Country: "US", Email: "ana@example.com"}

func paidOrder(lines ...wcsim.LineSpec) wcsim.OrderSpec {
	return wcsim.OrderSpec{Billing: caBuyer, Lines: lines, PaymentMethod: "stripe", Paid: true, Coupon: "save10",
		ShippingLines: []wcsim.ShippingSpec{{MethodID: "flat_rate", MethodTitle: "Flat rate", Total: woocommerce.MustMoney("7.50")}},
		Fees:          []wcsim.FeeSpec{{Name: "Gift wrap", Total: woocommerce.MustMoney("3.95"), Taxable: true}}}
}

func tee(qty int) wcsim.LineSpec { return wcsim.LineSpec{SKU: "TEE-0001", Quantity: qty} }

func (e *env) place(spec wcsim.OrderSpec) woocommerce.Order {
	e.t.Helper()
	o, err := e.shop.PlaceOrder(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// pollAndSettle runs one poll pass and waits until the engine has handled what it queued.
func (e *env) pollAndSettle() {
	e.t.Helper()
	if err := e.flow.Poll(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	eventually(e.t, 20*time.Second, "the engine to settle", e.settled)
}

// salesOrderOf returns the documents of the store order's Sales Order chain, original first.
func (e *env) salesOrderOf(id int64) []map[string]any {
	all := e.salesOrders()
	chain := all[fmt.Sprint(id)]
	for len(chain) > 0 {
		next := all["amendment of "+fmt.Sprint(chain[len(chain)-1]["name"])]
		if len(next) == 0 {
			break
		}
		chain = append(chain, next...)
	}
	return chain
}

func (e *env) deadLetters() []store.DeadLetter {
	e.t.Helper()
	dead, err := e.engine.DeadLetters(e.ctx, store.DeadLetterFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return dead
}

// updateOrder sends PUT /orders/{id} with fields the client's OrderUpdate does not carry (billing),
// as a shop manager editing the order in wp-admin would.
func (e *env) updateOrder(id int64, fields map[string]any) {
	e.t.Helper()
	body, _ := json.Marshal(fields)
	req, _ := http.NewRequestWithContext(e.ctx, http.MethodPut, fmt.Sprintf("%s/wp-json/wc/v3/orders/%d", e.shopURL, id), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(consumerKey, consumerSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("PUT order %d: %s", id, resp.Status)
	}
}

func TestUnmappedSKUIsDeadLetteredAndReplayedOnceMapped(t *testing.T) {
	e := newEnv(t, options{catalog: smallCatalog})
	mug, err := e.wc.CreateProduct(e.ctx, woocommerce.Product{Name: "Mug", SKU: "MUG-001", RegularPrice: woocommerce.MustMoney("12.00")})
	if err != nil {
		t.Fatal(err)
	}
	o := e.place(paidOrder(tee(1), wcsim.LineSpec{ProductID: mug.ID, Quantity: 2}))
	e.pollAndSettle()

	dead := e.deadLetters()
	if len(dead) != 1 || dead[0].Resource != orders.Resource(o.ID) || dead[0].Reason != failure.ReasonUnmapped ||
		!strings.Contains(dead[0].Message, `SKU "MUG-001"`) {
		t.Fatalf("dead letters %+v, want one Unmapped naming SKU MUG-001", dead)
	}
	if n := len(e.site.Names("Sales Order")); n != 0 {
		t.Fatalf("%d Sales Orders for an order with an unmapped SKU", n)
	}
	if n := len(e.site.Names("Customer")); n != 1 {
		t.Errorf("%d customers: the refused order created one", n)
	}

	if err := e.site.AddItem(erpItem("MUG-1")); err != nil {
		t.Fatal(err)
	}
	spec := e.spec
	spec.SKUs.Table = append(spec.SKUs.Table, v1alpha1.SKUPair{Store: "MUG-001", ERP: "MUG-1"})
	e.setSpec(spec)
	if n, err := e.engine.Replay(e.ctx, store.DeadLetterFilter{Reason: failure.ReasonUnmapped}); err != nil || n != 1 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	eventually(t, 20*time.Second, "the replayed order in the ERP", func() (bool, string) {
		return len(e.salesOrderOf(o.ID)) == 1, fmt.Sprintf("%d Sales Orders", len(e.salesOrderOf(o.ID)))
	})
	so := e.salesOrderOf(o.ID)[0]
	items, _ := so["items"].([]any)
	if len(items) != 2 || items[1].(map[string]any)["item_code"] != "MUG-1" || !num(so["grand_total"]).Equal(o.Total.Decimal()) {
		t.Errorf("Sales Order %v: items %v, grand total %v; store total %s", so["name"], items, so["grand_total"], o.Total)
	}
	eventually(t, 10*time.Second, "the dead letter resolved", func() (bool, string) {
		return len(e.deadLetters()) == 0, fmt.Sprintf("%d dead letters", len(e.deadLetters()))
	})
}

var correlationInLog = regexp.MustCompile(`"correlationId"="([0-9a-f]+)"`)

func TestSkippedStatusIsAuditedAndCreatedOncePaidInTheSameSecond(t *testing.T) {
	logs := &logSink{}
	// The store's clock stands still: the draft and its payment share one date_modified_gmt second.
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now, log: logs.logger()})
	spec := paidOrder(tee(2))
	spec.Status, spec.Paid = woocommerce.StatusCheckoutDraft, false
	o := e.place(spec)
	e.pollAndSettle()

	if n := len(e.site.Names("Sales Order")); n != 0 {
		t.Fatalf("%d Sales Orders for a checkout draft", n)
	}
	skips := logs.containing("Skipped an order")
	if len(skips) != 1 {
		t.Fatalf("skip log lines %q", skips)
	}
	id := correlationInLog.FindStringSubmatch(skips[0])
	if id == nil {
		t.Fatalf("no correlation id in %q", skips[0])
	}
	trail, err := e.store.Audit(e.ctx, id[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].Outcome != store.OutcomeSynced || trail[0].TargetRef != "skipped: status checkout-draft" ||
		trail[0].SourceRef != fmt.Sprintf("woocommerce/order/%d", o.ID) {
		t.Fatalf("audit trail %+v, want one skip", trail)
	}

	paid, err := e.shop.PayOrder(o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !paid.DateModifiedGMT.Equal(o.DateModifiedGMT.Time) {
		t.Fatalf("the payment moved date_modified_gmt from %s to %s: the test no longer covers one second", o.DateModifiedGMT, paid.DateModifiedGMT)
	}
	e.pollAndSettle()
	if chain := e.salesOrderOf(o.ID); len(chain) != 1 || !num(chain[0]["grand_total"]).Equal(paid.Total.Decimal()) {
		t.Fatalf("after payment: Sales Orders %v, want one with grand total %s", chain, paid.Total)
	}
}

func TestStoreCancellationCancelsTheSalesOrder(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	o := e.place(paidOrder(tee(1)))
	never := e.place(wcsim.OrderSpec{Billing: caBuyer, Lines: []wcsim.LineSpec{tee(1)}, PaymentMethod: "bacs"})
	e.pollAndSettle()
	clock.Advance(time.Minute)
	for _, id := range []int64{o.ID, never.ID} {
		if _, err := e.wc.UpdateOrder(e.ctx, id, woocommerce.OrderUpdate{Status: ptr(woocommerce.StatusCancelled)}); err != nil {
			t.Fatal(err)
		}
	}
	e.pollAndSettle()
	chain := e.salesOrderOf(o.ID)
	if len(chain) != 1 || num(chain[0]["docstatus"]).IntPart() != erpnext.Cancelled {
		t.Fatalf("Sales Orders of the cancelled order: %v", chain)
	}
	if len(e.salesOrderOf(never.ID)) != 0 || len(e.deadLetters()) != 0 {
		t.Errorf("an order cancelled before it was paid reached the ERP or failed: %v", e.deadLetters())
	}
}

func TestEditsFollowThePolicy(t *testing.T) {
	for _, tc := range []struct {
		policy v1alpha1.OrderEditPolicy
		// draft starts the ERP side with a draft Sales Order, as an ERP user or an interrupted
		// amendment leaves one, instead of letting the flow create and submit it.
		draft bool
		// conflict is the dead letter's message, "" when the edit must reach the ERP.
		conflict      string
		wantDocstatus int
	}{
		{policy: v1alpha1.OrderEditUpdateDraft, draft: true, wantDocstatus: erpnext.Draft},
		{policy: v1alpha1.OrderEditUpdateDraft, conflict: "edits policy UpdateDraft changes drafts only"},
		{policy: v1alpha1.OrderEditDeadLetter, conflict: "edits policy DeadLetter"},
		{policy: v1alpha1.OrderEditCancelAndAmend, wantDocstatus: erpnext.Submitted},
		{policy: v1alpha1.OrderEditCancelAndAmend, draft: true, wantDocstatus: erpnext.Submitted},
	} {
		t.Run(fmt.Sprintf("%s/draft=%v", tc.policy, tc.draft), func(t *testing.T) {
			clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
			e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now, spec: func(s *v1alpha1.MappingSetSpec) {
				s.OrderStatuses.Edits = tc.policy
				s.Customers.GuestCustomer = "" // guests are matched by email, so a new email is a new customer
			}})
			o := e.place(paidOrder(tee(2)))
			if tc.draft {
				draft := erpnext.SalesOrder{Customer: guestCustomer, ExternalOrderID: fmt.Sprint(o.ID), SetWarehouse: warehouse,
					Items: []erpnext.SalesOrderItem{{ItemCode: itemCode("TEE-0001"), Qty: decimal.NewFromInt(1), Rate: decimal.NewFromInt(1)}}}
				if err := e.erp.Insert(e.ctx, "Sales Order", draft, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				e.pollAndSettle()
			}
			clock.Advance(time.Minute)
			billing := caBuyer
			billing.Email = "ana.garcia@example.org"
			e.updateOrder(o.ID, map[string]any{"billing": billing})
			e.pollAndSettle()

			chain := e.salesOrderOf(o.ID)
			live := chain[len(chain)-1]
			dead := e.deadLetters()
			if tc.conflict != "" {
				if len(dead) != 1 || dead[0].Reason != failure.ReasonConflict || !strings.Contains(dead[0].Message, tc.conflict) {
					t.Fatalf("dead letters %+v, want a Conflict saying %q", dead, tc.conflict)
				}
				if len(chain) != 1 || num(live["docstatus"]).IntPart() != erpnext.Submitted || live["customer"] != "Ana García" {
					t.Errorf("the ERP order changed under policy %s: %v", tc.policy, chain)
				}
				return
			}
			if len(dead) != 0 {
				t.Fatalf("dead letters %+v", dead)
			}
			customer, _ := e.site.Document("Customer", fmt.Sprint(live["customer"]))
			if customer["email_id"] != billing.Email || num(live["docstatus"]).IntPart() != int64(tc.wantDocstatus) ||
				!num(live["grand_total"]).Equal(o.Total.Decimal()) {
				t.Errorf("live Sales Order %v: customer %v (%v), docstatus %v, grand total %v; want email %s, docstatus %d, total %s",
					live["name"], live["customer"], customer["email_id"], live["docstatus"], live["grand_total"], billing.Email, tc.wantDocstatus, o.Total)
			}
			if tc.policy == v1alpha1.OrderEditCancelAndAmend && !tc.draft {
				if len(chain) != 2 || num(chain[0]["docstatus"]).IntPart() != erpnext.Cancelled || live["amended_from"] != chain[0]["name"] {
					t.Errorf("want the original cancelled and amended: %v", chain)
				}
			} else if len(chain) != 1 {
				t.Errorf("want the draft updated in place: %v", chain)
			}
			// Handling the same state again changes nothing.
			if err := e.flow.Resync(e.ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
			if _, err := e.wc.UpdateOrder(e.ctx, o.ID, woocommerce.OrderUpdate{CustomerNote: ptr("ring twice")}); err != nil {
				t.Fatal(err)
			}
			e.pollAndSettle()
			if again := e.salesOrderOf(o.ID); len(again) != len(chain) || len(e.deadLetters()) != 0 {
				t.Errorf("an edit the ERP does not carry changed the chain: %v", again)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// cancelInERP cancels the order's Sales Order in the ERP as a person would.
func (e *env) cancelInERP(id int64) map[string]any {
	e.t.Helper()
	so := e.salesOrderOf(id)[0]
	if err := e.erp.Cancel(e.ctx, "Sales Order", fmt.Sprint(so["name"])); err != nil {
		e.t.Fatal(err)
	}
	return so
}

func TestCancelledERPOrderIsNeverTakenForALiveOne(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now})
	o := e.place(paidOrder(tee(1)))
	e.pollAndSettle()
	so := e.cancelInERP(o.ID)
	clock.Advance(time.Minute)
	if _, err := e.wc.UpdateOrder(e.ctx, o.ID, woocommerce.OrderUpdate{Status: ptr(woocommerce.StatusCompleted)}); err != nil {
		t.Fatal(err)
	}
	e.pollAndSettle()
	dead := e.deadLetters()
	if len(dead) != 1 || dead[0].Reason != failure.ReasonConflict || !strings.Contains(dead[0].Message, fmt.Sprintf("Sales Order %s of store order %d is cancelled", so["name"], o.ID)) {
		t.Fatalf("dead letters %+v, want a Conflict naming the cancelled Sales Order", dead)
	}
	if n := len(e.site.Names("Sales Order")); n != 1 {
		t.Errorf("%d Sales Orders, want the cancelled one only", n)
	}
}

func TestInterruptedAmendmentIsFinished(t *testing.T) {
	clock := wcsim.NewManualClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, options{catalog: smallCatalog, shopNow: clock.Now, spec: func(s *v1alpha1.MappingSetSpec) {
		s.OrderStatuses.Edits = v1alpha1.OrderEditCancelAndAmend
	}})
	o := e.place(paidOrder(tee(1)))
	e.pollAndSettle()
	// A run that cancelled and amended but stopped before submitting leaves a draft amendment.
	so := e.cancelInERP(o.ID)
	var draft erpnext.SalesOrder
	if err := e.erp.Amend(e.ctx, "Sales Order", fmt.Sprint(so["name"]), map[string]any{erpnext.FieldExternalOrderID: ""}, &draft); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := e.wc.UpdateOrder(e.ctx, o.ID, woocommerce.OrderUpdate{Status: ptr(woocommerce.StatusCompleted)}); err != nil {
		t.Fatal(err)
	}
	e.pollAndSettle()
	chain := e.salesOrderOf(o.ID)
	if len(chain) != 2 || chain[1]["name"] != draft.Name || num(chain[1]["docstatus"]).IntPart() != erpnext.Submitted ||
		!num(chain[1]["grand_total"]).Equal(o.Total.Decimal()) || len(e.deadLetters()) != 0 {
		t.Fatalf("chain %v, dead letters %v: want the draft amendment %s submitted", chain, e.deadLetters(), draft.Name)
	}
}
