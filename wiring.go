package main

import (
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
)

// defaultProbers are the StoreConnection health probes per system.
func defaultProbers() map[v1alpha1.System]controllers.Prober { return nil }
