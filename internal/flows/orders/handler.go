package orders

import (
	"context"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/mapping"
)

// orderJob is one run of the handler: the change, its connections and MappingSet as they are now,
// and the order as the store has it now.
type orderJob struct {
	job    *engine.Job
	erp    *erpnext.Client
	m      *mapping.Mapper
	order  canonical.Order
	log    logr.Logger
	source string
}

// handle carries one order change to the ERP. The change is only a hint: the order is read again,
// and its current state decides.
func (f *Flow) handle(ctx context.Context, job *engine.Job) error {
	p, err := engine.DecodePayload[payload](job)
	if err != nil {
		return err
	}
	wc, erp, m := f.deps.Store(), f.deps.ERP(), f.deps.Mapper()
	if wc == nil || erp == nil || m == nil {
		return failure.Transientf(failure.ReasonUnavailable, "the store or ERP connection or the MappingSet is not ready")
	}
	wo, err := wc.Order(ctx, p.OrderID)
	if err != nil {
		return err // a deleted order is 404: Permanent NotFound, for a person to look at
	}
	o, err := ToCanonical(wo)
	if err != nil {
		return err
	}
	action, err := m.OrderAction(&o)
	if err != nil {
		return err
	}
	oj := &orderJob{job: job, erp: erp, m: m, order: o, source: sourceRef(o.StoreID),
		log: logr.FromContextOrDiscard(ctx).WithValues("order", o.StoreID, "status", o.Status)}
	switch action {
	case v1alpha1.OrderActionSkip:
		// A skip is a success: the change is handled, and the audit trail says why nothing was written.
		job.RecordResult(oj.source, "skipped: status "+o.Status)
		oj.log.V(1).Info("Skipped an order the MappingSet does not sync in its status")
		return nil
	case v1alpha1.OrderActionCancel:
		return f.cancel(ctx, oj)
	default:
		return f.write(ctx, oj)
	}
}

// write makes the ERP hold the order: created once by its external id, or reconciled with the
// Sales Order already there. Everything that can refuse the order is checked before anything is
// written, so an unmapped SKU never leaves a customer behind.
func (f *Flow) write(ctx context.Context, oj *orderJob) error {
	o := &oj.order
	if err := o.CheckTotals(); err != nil {
		return err
	}
	want, err := planSalesOrder(oj.m, o, "", engine.CorrelationID(ctx))
	if err != nil {
		return err
	}
	if want.Customer, err = f.customer(ctx, oj.erp, oj.m, o); err != nil {
		return err
	}
	got, created, err := oj.erp.EnsureSalesOrder(ctx, want)
	if err != nil {
		return err
	}
	if created {
		oj.record(got)
		oj.log.Info("Created a Sales Order", "salesOrder", got.Name, "grandTotal", got.GrandTotal.String())
		return nil
	}
	return f.reconcile(ctx, oj, got, want)
}

// record notes the Sales Order now standing for the store order, in the cross-reference cache and
// the audit trail; both commit with the job.
func (oj *orderJob) record(so erpnext.SalesOrder) {
	oj.job.RecordXref(XrefNamespace, oj.source, so.Name)
	oj.job.RecordResult(oj.source, "Sales Order/"+so.Name)
}
