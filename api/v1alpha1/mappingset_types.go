package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MappingSetSpec: placeholder until the full type lands.
type MappingSetSpec struct {
	// +optional
	Company string `json:"company,omitempty"`
}

// MappingSetStatus is the validation outcome.
type MappingSetStatus struct {
	// +kubebuilder:default=-1
	// +optional
	ObservedGeneration int64 `json:"observedGeneration"`
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Errors []MappingError `json:"errors,omitempty"`
}

// MappingError is one problem found in a MappingSet.
type MappingError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ms,categories=retailsync

// MappingSet holds master data rules shared by flows.
type MappingSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              MappingSetSpec `json:"spec,omitempty"`
	// +kubebuilder:default:={"observedGeneration":-1}
	Status MappingSetStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// MappingSetList is a list of MappingSets.
type MappingSetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MappingSet `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MappingSet{}, &MappingSetList{})
}
