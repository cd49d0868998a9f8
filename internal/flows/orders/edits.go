package orders

import (
	"context"
	"fmt"
	"strings"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/failure"
)

const salesOrderDoctype = "Sales Order"

// reconcile brings an existing Sales Order in line with the store order, per the edits policy. The
// order the ERP holds is the last of its amendment chain; a cancelled one is never taken for a live
// order.
func (f *Flow) reconcile(ctx context.Context, oj *orderJob, root, want erpnext.SalesOrder) error {
	live, err := latestAmendment(ctx, oj.erp, root)
	if err != nil {
		return err
	}
	policy := oj.m.EditPolicy()
	diff := salesOrderDiff(live, want)
	switch {
	case live.Docstatus == erpnext.Cancelled && policy == v1alpha1.OrderEditCancelAndAmend:
		return f.amend(ctx, oj, live, want)
	case live.Docstatus == erpnext.Cancelled:
		return failure.Permanentf(failure.ReasonConflict,
			"Sales Order %s of store order %s is cancelled in the ERP but the store order is %s; with edits policy %s a person decides (amend it in the ERP, or set edits to CancelAndAmend and replay)",
			live.Name, oj.order.StoreID, oj.order.Status, policy)
	case len(diff) == 0 && live.Docstatus == erpnext.Draft && policy == v1alpha1.OrderEditCancelAndAmend:
		// An amendment left as a draft by an interrupted run: finish it.
		return f.updateDraft(ctx, oj, live, want, true)
	case len(diff) == 0:
		oj.record(live)
		return nil
	}
	switch {
	case policy == v1alpha1.OrderEditDeadLetter:
		return failure.Permanentf(failure.ReasonConflict,
			"store order %s changed after Sales Order %s was created (%s); edits policy DeadLetter leaves the change to a person",
			oj.order.StoreID, live.Name, strings.Join(diff, "; "))
	case live.Docstatus == erpnext.Draft:
		return f.updateDraft(ctx, oj, live, want, policy == v1alpha1.OrderEditCancelAndAmend)
	case policy == v1alpha1.OrderEditCancelAndAmend:
		if err := oj.erp.Cancel(ctx, salesOrderDoctype, live.Name); err != nil {
			return err
		}
		oj.log.Info("Cancelled a Sales Order to amend it", "salesOrder", live.Name, "changes", strings.Join(diff, "; "))
		live.Docstatus = erpnext.Cancelled
		return f.amend(ctx, oj, live, want)
	default:
		return failure.Permanentf(failure.ReasonConflict,
			"store order %s changed after Sales Order %s was submitted (%s); edits policy UpdateDraft changes drafts only: amend it in the ERP, or set edits to CancelAndAmend and replay",
			oj.order.StoreID, live.Name, strings.Join(diff, "; "))
	}
}

// editable are the fields the flow sets on a Sales Order from the store order.
func editable(want erpnext.SalesOrder) map[string]any {
	return map[string]any{
		"customer": want.Customer, "currency": want.Currency, "set_warehouse": want.SetWarehouse,
		"po_no": want.PONo, "items": want.Items, "taxes": want.Taxes,
		erpnext.FieldCorrelationID: want.CorrelationID,
	}
}

// updateDraft rewrites a draft Sales Order, and submits it when submit is set, in one request.
func (f *Flow) updateDraft(ctx context.Context, oj *orderJob, draft, want erpnext.SalesOrder, submit bool) error {
	patch := editable(want)
	if submit {
		patch["docstatus"] = erpnext.Submitted
	}
	var got erpnext.SalesOrder
	if err := oj.erp.Update(ctx, salesOrderDoctype, draft.Name, patch, &got); err != nil {
		return err
	}
	oj.record(got)
	oj.log.Info("Updated a draft Sales Order", "salesOrder", got.Name, "submitted", submit)
	return nil
}

// amend creates and submits the amendment of a cancelled Sales Order with the store order's current
// content. The amendment leaves the external order id empty: the cancelled original keeps it in the
// unique field (Frappe marks such fields no_copy), and the chain of amended_from leads from the
// original to the amendment. Interrupted after the insert, the next run finds the draft at the end
// of the chain and submits it.
func (f *Flow) amend(ctx context.Context, oj *orderJob, cancelled, want erpnext.SalesOrder) error {
	changes := editable(want)
	changes[erpnext.FieldExternalOrderID] = ""
	var draft erpnext.SalesOrder
	if err := oj.erp.Amend(ctx, salesOrderDoctype, cancelled.Name, changes, &draft); err != nil {
		return err
	}
	var got erpnext.SalesOrder
	if err := oj.erp.Submit(ctx, salesOrderDoctype, draft.Name, &got); err != nil {
		return err
	}
	oj.record(got)
	oj.log.Info("Amended a Sales Order", "salesOrder", got.Name, "amendedFrom", cancelled.Name)
	return nil
}

// cancel cancels the ERP order of a store order the store cancelled: a submitted one is cancelled,
// a draft deleted; no order, or one already cancelled, leaves nothing to do.
func (f *Flow) cancel(ctx context.Context, oj *orderJob) error {
	root, ok, err := oj.erp.SalesOrderByExternalID(ctx, oj.order.StoreID)
	if err != nil {
		return err
	}
	if !ok {
		oj.job.RecordResult(oj.source, "skipped: no Sales Order to cancel")
		return nil
	}
	live, err := latestAmendment(ctx, oj.erp, root)
	if err != nil {
		return err
	}
	switch live.Docstatus {
	case erpnext.Submitted:
		if err := oj.erp.Cancel(ctx, salesOrderDoctype, live.Name); err != nil {
			return err
		}
		oj.log.Info("Cancelled a Sales Order: the store cancelled the order", "salesOrder", live.Name)
	case erpnext.Draft:
		if err := oj.erp.Delete(ctx, salesOrderDoctype, live.Name); err != nil {
			return err
		}
		oj.log.Info("Deleted a draft Sales Order: the store cancelled the order", "salesOrder", live.Name)
	}
	oj.record(live)
	return nil
}

// latestAmendment follows amended_from from so to the last amendment. Only cancelled documents
// are amended, so a live one costs no request.
func latestAmendment(ctx context.Context, erp *erpnext.Client, so erpnext.SalesOrder) (erpnext.SalesOrder, error) {
	for so.Docstatus == erpnext.Cancelled {
		var next []struct {
			Name string `json:"name"`
		}
		err := erp.List(ctx, salesOrderDoctype, erpnext.ListOptions{Filters: []erpnext.Filter{erpnext.Eq("amended_from", so.Name)},
			OrderBy: "creation desc", PageLength: 1}, &next)
		if err != nil || len(next) == 0 {
			return so, err
		}
		if so, err = erp.GetSalesOrder(ctx, next[0].Name); err != nil {
			return so, err
		}
	}
	return so, nil
}

// salesOrderDiff names what the store order would change on the Sales Order: customer, currency,
// lines (item, quantity, rate) and charges (account, amount). Descriptions and ERP-computed fields
// do not count.
func salesOrderDiff(have, want erpnext.SalesOrder) []string {
	var diff []string
	if have.Customer != want.Customer {
		diff = append(diff, fmt.Sprintf("customer %q -> %q", have.Customer, want.Customer))
	}
	if have.Currency != want.Currency {
		diff = append(diff, fmt.Sprintf("currency %s -> %s", have.Currency, want.Currency))
	}
	if !sameItems(have.Items, want.Items) {
		diff = append(diff, "lines")
	}
	if !sameCharges(have.Taxes, want.Taxes) {
		diff = append(diff, "charges and taxes")
	}
	return diff
}

func sameItems(a, b []erpnext.SalesOrderItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ItemCode != b[i].ItemCode || !a[i].Qty.Equal(b[i].Qty) || !a[i].Rate.Equal(b[i].Rate) {
			return false
		}
	}
	return true
}

func sameCharges(a, b []erpnext.SalesTax) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].AccountHead != b[i].AccountHead || !a[i].TaxAmount.Equal(b[i].TaxAmount) {
			return false
		}
	}
	return true
}
