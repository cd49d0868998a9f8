package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// Field indexes from a referenced object's name to the objects that reference it, so a watch on the
// referenced kind can find its users without listing everything (Flux's kustomization_indexers.go).
const (
	IndexCredentialsSecret = ".spec.credentialsSecretRef.name"
	IndexConnectionRef     = ".spec.connectionRefs"
	IndexMappingSetRef     = ".spec.mappingSetRef.name"
)

// SetupIndexes registers the field indexes the reconcilers use.
func SetupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &v1alpha1.StoreConnection{}, IndexCredentialsSecret, func(o client.Object) []string {
		return []string{o.(*v1alpha1.StoreConnection).Spec.CredentialsSecretRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.SyncFlow{}, IndexConnectionRef, func(o client.Object) []string {
		f := o.(*v1alpha1.SyncFlow)
		return []string{f.Spec.SourceRef.Name, f.Spec.TargetRef.Name}
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &v1alpha1.SyncFlow{}, IndexMappingSetRef, func(o client.Object) []string {
		return []string{o.(*v1alpha1.SyncFlow).Spec.MappingSetRef.Name}
	})
}

// requestsFor turns a list of objects into reconcile requests.
func requestsFor[T any, PT interface {
	*T
	client.Object
}](items []T) []reconcile.Request {
	reqs := make([]reconcile.Request, 0, len(items))
	for i := range items {
		obj := PT(&items[i])
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()}})
	}
	return reqs
}
