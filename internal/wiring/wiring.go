// Package wiring says what this build of retailsync runs: the flows its workers host, the probes
// of each system, and so which SyncFlows the operator accepts. The manager, the worker, the demo and
// the tests all take it from here, so they cannot disagree.
package wiring

import (
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/controllers"
	"github.com/retailsync/retailsync/internal/flows/orders"
	"github.com/retailsync/retailsync/internal/probe"
	"github.com/retailsync/retailsync/internal/worker"
)

// Probers are the StoreConnection health probes per system. A system without one (Odoo, for
// now) is reported as not probed, never as reachable.
func Probers() map[v1alpha1.System]controllers.Prober {
	return map[v1alpha1.System]controllers.Prober{
		v1alpha1.SystemERPNext:     probe.ERPNext{},
		v1alpha1.SystemWooCommerce: probe.WooCommerce{},
	}
}

// Flows are the flows this binary's workers run.
func Flows() map[v1alpha1.FlowKind]worker.FlowFactory {
	return map[v1alpha1.FlowKind]worker.FlowFactory{
		v1alpha1.FlowOrders: func(d worker.FlowDeps) (worker.Flow, error) {
			return orders.New(orders.Deps{
				Store: d.Store, ERP: d.ERP, Mapper: d.Mapper, Engine: d.Engine, Cursors: d.Records,
				Log: d.Log.WithName("orders"),
			})
		},
	}
}

// WorkerProbers verify rotated credentials before a worker swaps them in.
func WorkerProbers() map[v1alpha1.System]worker.Prober {
	probers := map[v1alpha1.System]worker.Prober{}
	for system, p := range Probers() {
		probers[system] = p
	}
	return probers
}

// WorkersRun says which flows between which systems this binary's workers run, so the operator
// refuses the rest with a clear Stalled condition instead of deploying a worker that cannot work.
func WorkersRun(flow v1alpha1.FlowKind, system v1alpha1.System) bool {
	if _, ok := Flows()[flow]; !ok {
		return false
	}
	return system == v1alpha1.SystemWooCommerce || system == v1alpha1.SystemERPNext
}
