package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// Reasons are CamelCase words that say why a condition has its status; users and alerts match on them.
const (
	ReasonSucceeded            = "Succeeded"
	ReasonProgressing          = "Progressing"
	ReasonSecretNotFound       = "SecretNotFound"
	ReasonSecretKeyMissing     = "SecretKeyMissing"
	ReasonCredentialsResolved  = "CredentialsResolved"
	ReasonCredentialsRejected  = "CredentialsRejected"
	ReasonUnreachable          = "Unreachable"
	ReasonProbeSucceeded       = "ProbeSucceeded"
	ReasonNotProbed            = "NotProbed"
	ReasonStoreConnectionGone  = "StoreConnectionNotFound"
	ReasonStoreConnectionDown  = "StoreConnectionNotReady"
	ReasonMappingSetGone       = "MappingSetNotFound"
	ReasonMappingSetInvalid    = "MappingSetNotReady"
	ReasonInvalidFlowDirection = "InvalidFlowDirection"
	ReasonNotSupported         = "NotSupported"
	ReasonSuspended            = "Suspended"
)

// conditionSetter writes conditions that carry the object's generation, as kstatus expects.
type conditionSetter struct {
	conditions *[]metav1.Condition
	generation int64
}

func conditionsOf(conds *[]metav1.Condition, generation int64) conditionSetter {
	return conditionSetter{conditions: conds, generation: generation}
}

func (c conditionSetter) set(condType string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(c.conditions, metav1.Condition{
		Type:               condType,
		Status:             status,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: c.generation,
	})
}

func (c conditionSetter) True(condType, reason, message string) {
	c.set(condType, metav1.ConditionTrue, reason, message)
}

func (c conditionSetter) False(condType, reason, message string) {
	c.set(condType, metav1.ConditionFalse, reason, message)
}

func (c conditionSetter) Unknown(condType, reason, message string) {
	c.set(condType, metav1.ConditionUnknown, reason, message)
}

// remove deletes a condition; kstatus's abnormal-true conditions (Reconciling, Stalled) are removed
// rather than set False once they no longer hold.
func (c conditionSetter) remove(condType string) {
	meta.RemoveStatusCondition(c.conditions, condType)
}

func (c conditionSetter) get(condType string) *metav1.Condition {
	return meta.FindStatusCondition(*c.conditions, condType)
}

// stalled marks a terminal problem: Stalled=True, Ready=False, and no Reconciling.
func (c conditionSetter) stalled(reason, message string) {
	c.True(v1alpha1.ConditionStalled, reason, message)
	c.remove(v1alpha1.ConditionReconciling)
	c.False(v1alpha1.ConditionReady, reason, message)
}

// notReady marks a problem that may resolve by itself (a reference that appears later): Ready=False
// with the reason, no Stalled.
func (c conditionSetter) notReady(reason, message string) {
	c.remove(v1alpha1.ConditionStalled)
	c.False(v1alpha1.ConditionReady, reason, message)
}

// ready marks success and clears the abnormal-true conditions.
func (c conditionSetter) ready(reason, message string) {
	c.remove(v1alpha1.ConditionStalled)
	c.remove(v1alpha1.ConditionReconciling)
	c.True(v1alpha1.ConditionReady, reason, message)
}

// isReadyAtGeneration reports whether Ready is True and was computed for the current generation.
func isReadyAtGeneration(conds []metav1.Condition, generation, observed int64) bool {
	ready := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	return ready != nil && ready.Status == metav1.ConditionTrue && observed == generation && ready.ObservedGeneration == generation
}
