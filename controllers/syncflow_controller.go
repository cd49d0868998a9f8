package controllers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// SyncFlowReconciler resolves a flow's references and supervises its worker.
type SyncFlowReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	// WorkerImage is the image of worker Deployments: the operator's own image.
	WorkerImage string
	// Runs says which flows, between which systems, this build's workers run; nil runs everything.
	Runs func(v1alpha1.FlowKind, v1alpha1.System) bool
	// MaxConcurrentReconciles bounds parallel reconciles (default 4).
	MaxConcurrentReconciles int
	// WebhookCheckInterval is how often registered webhooks are re-read from the store when nothing
	// about them changed (default 5m).
	WebhookCheckInterval time.Duration

	// applied remembers, per worker, what was last applied (appliedWorker by NamespacedName).
	applied sync.Map
	// webhooksChecked remembers, per flow, the last good look at its webhooks (webhookCheck).
	webhooksChecked sync.Map
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// StoreClients builds the WooCommerce client webhooks are registered with; nil means
	// DefaultStoreClients.
	StoreClients StoreClientFactory
}

// syncFlowScope carries what one reconcile has read.
type syncFlowScope struct {
	flow       *v1alpha1.SyncFlow
	conds      conditionSetter
	source     *v1alpha1.StoreConnection
	target     *v1alpha1.StoreConnection
	mappingSet *v1alpha1.MappingSet
	// blocked is set by a step that found the flow cannot go further this time; the steps after it
	// are skipped and summarize keeps the reason that step recorded.
	blocked bool
	// requeueAfter is when the flow must be looked at again even if nothing changes: its health
	// judged, its webhook secret rotated. The shortest any step asked for wins.
	requeueAfter time.Duration
}

func (s *syncFlowScope) requeue(d time.Duration) {
	if d > 0 && (s.requeueAfter == 0 || d < s.requeueAfter) {
		s.requeueAfter = d
	}
}

// syncFlowStep is one named sub-step of a SyncFlow reconcile, in the order they run.
type syncFlowStep func(context.Context, *syncFlowScope) error

// +kubebuilder:rbac:groups=retailsync.io,resources=syncflows,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=retailsync.io,resources=syncflows/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=retailsync.io,resources=mappingsets,verbs=get;list;watch

// Reconcile runs suspension -> resolve references -> check direction -> worker -> webhooks ->
// health, then summarizes. A flow being deleted only has its webhooks cleaned up.
func (r *SyncFlowReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	flow := &v1alpha1.SyncFlow{}
	if err := r.Get(ctx, req.NamespacedName, flow); err != nil {
		if apierrors.IsNotFound(err) {
			r.applied.Delete(types.NamespacedName{Namespace: req.Namespace, Name: workerpod.Name(req.Name)})
			r.webhooksChecked.Delete(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !flow.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, flow)
	}
	scope := &syncFlowScope{flow: flow, conds: conditionsOf(&flow.Status.Conditions, flow.Generation)}
	patch := newStatusPatch(flow)
	before := readyOf(flow)
	defer func() {
		r.summarize(scope, retErr)
		r.recordTransition(flow, before)
		if err := patch.Patch(ctx, r.Client, flow); err != nil {
			retErr = errors.Join(retErr, err)
		}
		if retErr == nil {
			result.RequeueAfter = scope.requeueAfter
		}
	}()

	for _, step := range []syncFlowStep{
		r.reconcileSuspension,
		r.reconcileReferences,
		r.reconcileDirection,
		r.reconcileSupport,
		r.reconcileWorker,
		r.reconcileWebhooks,
		r.reconcileHealth,
	} {
		if err := step(ctx, scope); err != nil {
			return ctrl.Result{}, err
		}
		if scope.blocked {
			break
		}
	}
	// A blocked or Stalled flow is not requeued: every way out of it is a change to the flow or to
	// an object it references, and the watches bring the flow back then.
	return ctrl.Result{}, nil
}

// reconcileReferences resolves source, target and MappingSet. A reference that does not exist yet or
// is not Ready is not an error (GitOps applies in any order): Ready=False names it, and the watches
// on StoreConnections and MappingSets bring the flow back when it changes.
func (r *SyncFlowReconciler) reconcileReferences(ctx context.Context, s *syncFlowScope) error {
	f := s.flow
	var err error
	if s.source, err = r.connection(ctx, s, "sourceRef", f.Spec.SourceRef.Name); err != nil || s.blocked {
		return err
	}
	if s.target, err = r.connection(ctx, s, "targetRef", f.Spec.TargetRef.Name); err != nil || s.blocked {
		return err
	}
	ms := &v1alpha1.MappingSet{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: f.Namespace, Name: f.Spec.MappingSetRef.Name}, ms); err != nil {
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("reading MappingSet %s: %w", f.Spec.MappingSetRef.Name, err)
		}
		s.block(ReasonMappingSetGone, fmt.Sprintf("MappingSet %q named by spec.mappingSetRef was not found", f.Spec.MappingSetRef.Name))
		return nil
	}
	if !isReadyAtGeneration(ms.Status.Conditions, ms.Generation, ms.Status.ObservedGeneration) {
		s.block(ReasonMappingSetInvalid, fmt.Sprintf("MappingSet %q is not Ready: %s", ms.Name, readyMessage(ms.Status.Conditions)))
		return nil
	}
	s.mappingSet = ms
	return nil
}

func (r *SyncFlowReconciler) connection(ctx context.Context, s *syncFlowScope, field, name string) (*v1alpha1.StoreConnection, error) {
	conn := &v1alpha1.StoreConnection{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: s.flow.Namespace, Name: name}, conn); err != nil {
		if !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("reading StoreConnection %s: %w", name, err)
		}
		s.block(ReasonStoreConnectionGone, fmt.Sprintf("StoreConnection %q named by spec.%s was not found", name, field))
		return nil, nil
	}
	if !isReadyAtGeneration(conn.Status.Conditions, conn.Generation, conn.Status.ObservedGeneration) {
		s.block(ReasonStoreConnectionDown, fmt.Sprintf("StoreConnection %q (spec.%s) is not Ready: %s", name, field, readyMessage(conn.Status.Conditions)))
		return nil, nil
	}
	return conn, nil
}

// reconcileSupport refuses, as a terminal configuration error, a flow this build's workers cannot run,
// rather than deploying a worker that would fail in a loop.
func (r *SyncFlowReconciler) reconcileSupport(_ context.Context, s *syncFlowScope) error {
	if r.Runs == nil {
		return nil
	}
	for _, conn := range []*v1alpha1.StoreConnection{s.source, s.target} {
		if !r.Runs(s.flow.Spec.Flow, conn.Spec.System) {
			s.blocked = true
			s.conds.stalled(ReasonNotSupported, fmt.Sprintf("This version of retailsync does not run %s flows with %s (StoreConnection %q)",
				s.flow.Spec.Flow, conn.Spec.System, conn.Name))
			return nil
		}
	}
	return nil
}

// reconcileDirection checks the two connections suit the flow: store-sourced flows read WooCommerce
// and write an ERP, the others the reverse. A mismatch is a terminal configuration error.
func (r *SyncFlowReconciler) reconcileDirection(_ context.Context, s *syncFlowScope) error {
	f := s.flow
	wantSourceStore := f.Spec.Flow.SourceIsStore()
	sourceIsStore := s.source.Spec.System == v1alpha1.SystemWooCommerce
	targetIsStore := s.target.Spec.System == v1alpha1.SystemWooCommerce
	if sourceIsStore == wantSourceStore && targetIsStore != wantSourceStore {
		s.conds.remove(v1alpha1.ConditionStalled)
		return nil
	}
	want := "an ERP (ERPNext or Odoo) as source and WooCommerce as target"
	if wantSourceStore {
		want = "WooCommerce as source and an ERP (ERPNext or Odoo) as target"
	}
	s.blocked = true
	s.conds.stalled(ReasonInvalidFlowDirection, fmt.Sprintf("%s flow needs %s, but source %q is %s and target %q is %s",
		f.Spec.Flow, want, s.source.Name, s.source.Spec.System, s.target.Name, s.target.Spec.System))
	return nil
}

// block stops the reconcile at the current step with Ready=False for the reason.
func (s *syncFlowScope) block(reason, message string) {
	s.blocked = true
	s.conds.notReady(reason, message)
}

// summarize sets observedGeneration and the abnormal-true conditions. Ready itself is set by the steps:
// the first step that blocks names the reason.
func (r *SyncFlowReconciler) summarize(s *syncFlowScope, reconcileErr error) {
	if reconcileErr != nil {
		s.conds.True(v1alpha1.ConditionReconciling, ReasonProgressing, reconcileErr.Error())
		if s.conds.get(v1alpha1.ConditionReady) == nil {
			s.conds.Unknown(v1alpha1.ConditionReady, ReasonProgressing, reconcileErr.Error())
		}
		return
	}
	s.flow.Status.ObservedGeneration = s.flow.Generation
	s.conds.remove(v1alpha1.ConditionReconciling)
}

// recordTransition emits an Event when Ready changes, never one per reconcile.
func (r *SyncFlowReconciler) recordTransition(flow *v1alpha1.SyncFlow, before metav1.Condition) {
	after := readyOf(flow)
	if after.Status == before.Status && after.Reason == before.Reason {
		return
	}
	eventType := corev1.EventTypeNormal
	if after.Status != metav1.ConditionTrue {
		eventType = corev1.EventTypeWarning
	}
	r.Recorder.Eventf(flow, nil, eventType, after.Reason, "Reconcile", "%s", after.Message)
}

func readyOf(flow *v1alpha1.SyncFlow) metav1.Condition {
	if c := meta.FindStatusCondition(flow.Status.Conditions, v1alpha1.ConditionReady); c != nil {
		return *c
	}
	return metav1.Condition{}
}

func readyMessage(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady); c != nil && c.Message != "" {
		return c.Message
	}
	return "not reconciled yet"
}

// SetupWithManager watches SyncFlows and the StoreConnections and MappingSets they reference.
func (r *SyncFlowReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.SyncFlow{}, builder.WithPredicates(predicate.Or[client.Object](
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, workerReportChanged(r.now)))).
		Owns(&appsv1.Deployment{}).
		Watches(&v1alpha1.StoreConnection{}, handler.EnqueueRequestsFromMapFunc(r.flowsFor(IndexConnectionRef)),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged()))).
		Watches(&v1alpha1.MappingSet{}, handler.EnqueueRequestsFromMapFunc(r.flowsFor(IndexMappingSetRef))).
		WithOptions(controller.Options{MaxConcurrentReconciles: cmp.Or(r.MaxConcurrentReconciles, 4)}).
		Named("syncflow").
		Complete(r)
}

// readyChanged lets a StoreConnection update through only when its Ready condition changed, which
// is all a flow reads of a connection's status. Each health probe writes the connection's status
// (lastProbe); without this every probe would reconcile every flow that uses the connection.
func readyChanged() predicate.Funcs {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		ready := func(o client.Object) metav1.Condition {
			if c, ok := o.(*v1alpha1.StoreConnection); ok {
				if r := meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionReady); r != nil {
					return metav1.Condition{Status: r.Status, Reason: r.Reason, Message: r.Message, ObservedGeneration: r.ObservedGeneration}
				}
			}
			return metav1.Condition{}
		}
		return ready(e.ObjectOld) != ready(e.ObjectNew)
	}}
}

func (r *SyncFlowReconciler) flowsFor(index string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list v1alpha1.SyncFlowList
		if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace()), client.MatchingFields{index: obj.GetName()}); err != nil {
			log.FromContext(ctx).Error(err, "Listing SyncFlows for a referenced object failed", "object", obj.GetName())
			return nil
		}
		return requestsFor(list.Items)
	}
}
