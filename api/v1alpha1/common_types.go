package v1alpha1

// Condition types shared by the kinds of this group. Ready is always present; Reconciling and Stalled
// are present only while true (kstatus abnormal-true conditions), so that `kubectl wait
// --for=condition=Ready`, Flux health checks and Argo CD health checks read them the same way.
const (
	// ConditionReady says the object does what it declares: for a SyncFlow, data is flowing within SLO.
	ConditionReady = "Ready"
	// ConditionReconciling is true while the operator is still making the object's state real.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is true when progress needs a person: a terminal configuration error, rejected
	// credentials, or every job dead-lettered for the same cause.
	ConditionStalled = "Stalled"
)

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// Name of the referenced object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`
}

// SecretKeyReference names one key of a Secret in the same namespace.
type SecretKeyReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`
	// Key within the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +required
	Key string `json:"key"`
}
