package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/mapping"
)

// MappingSetValidator checks what the schema cannot: cross-field rules, CEL expressions compiled and
// type-checked, patterns compiled. name is "namespace/name", for messages. Every problem comes back
// with its path. The operator uses mapping.Validate; the indirection keeps this controller testable
// without the mapping engine's rules.
type MappingSetValidator func(name string, spec *v1alpha1.MappingSetSpec) field.ErrorList

// MappingSetReconciler validates MappingSets and reports every error with its path.
type MappingSetReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	Validate MappingSetValidator
}

// +kubebuilder:rbac:groups=retailsync.io,resources=mappingsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=retailsync.io,resources=mappingsets/status,verbs=get;update;patch

// Reconcile validates the spec. An invalid MappingSet is Stalled: only a spec change can fix it, and
// a spec change brings a new reconcile, so there is nothing to retry.
func (r *MappingSetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	ms := &v1alpha1.MappingSet{}
	if err := r.Get(ctx, req.NamespacedName, ms); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	conds := conditionsOf(&ms.Status.Conditions, ms.Generation)
	patch := newStatusPatch(ms)
	defer func() {
		if err := patch.Patch(ctx, r.Client, ms); err != nil {
			retErr = errors.Join(retErr, err)
		}
	}()

	previous := conds.get(v1alpha1.ConditionReady)
	errs := r.Validate(req.String(), &ms.Spec)
	ms.Status.ObservedGeneration = ms.Generation
	ms.Status.Errors, ms.Status.ErrorCount = mapping.StatusErrors(errs)
	if len(errs) == 0 {
		conds.ready(v1alpha1.MappingSetCompiledReason, "Every rule compiled")
		if previous != nil && previous.Reason == v1alpha1.MappingSetInvalidReason {
			r.Recorder.Eventf(ms, nil, corev1.EventTypeNormal, v1alpha1.MappingSetCompiledReason, "Validate", "Every rule compiled")
		}
		return ctrl.Result{}, nil
	}
	msg := fmt.Sprintf("%d error(s) in the spec (see status.errors); first: %s", len(errs), errs[0].Error())
	conds.stalled(v1alpha1.MappingSetInvalidReason, msg)
	if previous == nil || previous.Reason != v1alpha1.MappingSetInvalidReason || previous.ObservedGeneration != ms.Generation {
		r.Recorder.Eventf(ms, nil, corev1.EventTypeWarning, v1alpha1.MappingSetInvalidReason, "Validate", "%s", msg)
	}
	return ctrl.Result{}, nil
}

// SetupWithManager watches MappingSets.
func (r *MappingSetReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.MappingSet{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("mappingset").
		Complete(r)
}
