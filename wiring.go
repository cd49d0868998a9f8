package main

import (
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
	"github.com/retailsync/retailsync/internal/probe"
)

// defaultProbers are the StoreConnection health probes per system. A system without one (Odoo, for
// now) is reported as not probed, never as reachable.
func defaultProbers() map[v1alpha1.System]controllers.Prober {
	return map[v1alpha1.System]controllers.Prober{
		v1alpha1.SystemERPNext:     probe.ERPNext{},
		v1alpha1.SystemWooCommerce: probe.WooCommerce{},
	}
}
