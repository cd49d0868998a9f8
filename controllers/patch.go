package controllers

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// statusPatch remembers an object as it was read and later sends only what changed in its status,
// as a JSON merge patch. Reconcilers take it first and defer its Patch, so that status is written once
// per reconcile on every path, including errors (Cluster API's and Flux's patch-helper pattern).
type statusPatch struct {
	before client.Object
}

func newStatusPatch(obj client.Object) *statusPatch {
	return &statusPatch{before: obj.DeepCopyObject().(client.Object)}
}

// Patch writes the status change, if any. It does not use optimistic locking: the operator owns the
// fields it changes (conditions, observedGeneration, its own status fields) while the worker writes
// its report by server-side apply with its own field manager, and neither should fail the other.
func (p *statusPatch) Patch(ctx context.Context, c client.Client, obj client.Object) error {
	patch := client.MergeFrom(p.before)
	data, err := patch.Data(obj)
	if err != nil {
		return fmt.Errorf("computing status patch: %w", err)
	}
	if string(data) == "{}" {
		return nil
	}
	if err := c.Status().Patch(ctx, obj, patch); err != nil {
		return client.IgnoreNotFound(err)
	}
	return nil
}
