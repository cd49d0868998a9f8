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
)

// maxReportedMappingErrors bounds status.errors; the Ready message says how many more there were.
const maxReportedMappingErrors = 50

// MappingSetValidator checks what the schema cannot: cross-field rules, CEL expressions compiled and
// type-checked, patterns compiled. Every problem comes back with its path.
type MappingSetValidator func(spec *v1alpha1.MappingSetSpec, path *field.Path) field.ErrorList

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

	wasValid := conds.get(v1alpha1.ConditionReady)
	errs := r.Validate(&ms.Spec, field.NewPath("spec"))
	ms.Status.ObservedGeneration = ms.Generation
	ms.Status.Errors = nil
	for i, e := range errs {
		if i == maxReportedMappingErrors {
			break
		}
		ms.Status.Errors = append(ms.Status.Errors, v1alpha1.MappingError{Path: e.Field, Message: e.ErrorBody()})
	}
	if len(errs) == 0 {
		conds.ready(ReasonSucceeded, "All rules are valid")
		if wasValid != nil && wasValid.Reason == ReasonInvalidMapping {
			r.Recorder.Eventf(ms, nil, corev1.EventTypeNormal, ReasonSucceeded, "Validate", "All rules are valid again")
		}
		return ctrl.Result{}, nil
	}
	msg := fmt.Sprintf("%d invalid rule(s); first: %s", len(errs), errs[0].Error())
	conds.stalled(ReasonInvalidMapping, msg)
	if wasValid == nil || wasValid.Reason != ReasonInvalidMapping || wasValid.ObservedGeneration != ms.Generation {
		r.Recorder.Eventf(ms, nil, corev1.EventTypeWarning, ReasonInvalidMapping, "Validate", "%s", msg)
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
