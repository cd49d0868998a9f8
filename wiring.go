package main

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
)

// validateMappingSet is the MappingSet validator the operator runs (TEMPORARY until internal/mapping lands).
func validateMappingSet(*v1alpha1.MappingSetSpec, *field.Path) field.ErrorList { return nil }

// defaultProbers are the StoreConnection health probes per system.
func defaultProbers() map[v1alpha1.System]controllers.Prober { return nil }
