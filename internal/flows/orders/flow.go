// Package orders is the Orders flow: WooCommerce orders become ERPNext Sales Orders, exactly one per
// store order, whatever the duplicates, retries, crashes or outages.
//
// Intake turns webhooks and a modified_after poll into durable changes keyed by (order, version);
// the engine dedups and orders them. The handler treats a change as a hint: it re-reads the order
// from the store, decides from the MappingSet whether to skip, create or cancel, maps it to a Sales
// Order whose grand total equals the store's total to the cent, and writes it idempotently through
// the unique external-order-id field in the ERP. Edits after creation follow the MappingSet's edits
// policy. The worker host (internal/worker) wires this package to Kubernetes, HTTP and credentials.
package orders

import (
	"context"
	"errors"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/keyedlock"
	"github.com/retailsync/retailsync/internal/mapping"
)

// Names the flow registers and records under.
const (
	// Kind is the engine kind of an order change.
	Kind = "woocommerce-order"
	// Target is the engine target (and queue) the Sales Orders are written to.
	Target = "erpnext"
	// CursorName is the poll cursor in the store: the newest date_modified_gmt taken in.
	CursorName = "orders/woocommerce/modified_after"
	// XrefNamespace caches store order -> Sales Order references.
	XrefNamespace = "erpnext/sales-order"
)

// CursorReader reads a durable cursor; *store.Store implements it.
type CursorReader interface {
	CursorValue(ctx context.Context, name string) (string, error)
}

// Deps are what the flow needs. Connections and the MappingSet are providers, not values, because
// credentials rotate and the MappingSet is recompiled while the worker runs: every change reads the
// current ones. A provider returning nil means "not ready": the change is retried later.
type Deps struct {
	Store  func() *woocommerce.Client
	ERP    func() *erpnext.Client
	Mapper func() *mapping.Mapper
	// Engine carries the changes; the flow registers its handler on it (Register) and enqueues to it.
	Engine *engine.Engine
	// Cursors reads the poll cursor (the engine's store).
	Cursors CursorReader
	Log     logr.Logger
}

// Flow is the Orders flow. It is safe for concurrent use.
type Flow struct {
	deps Deps
	// customers serialises find-or-create per customer key: two orders of one new buyer handled at
	// once would otherwise both miss and create the customer twice (emails are not unique in ERPNext).
	customers *keyedlock.Locks
}

// New checks deps and returns the flow.
func New(deps Deps) (*Flow, error) {
	if deps.Store == nil || deps.ERP == nil || deps.Mapper == nil || deps.Engine == nil || deps.Cursors == nil {
		return nil, errors.New("orders: Store, ERP, Mapper, Engine and Cursors are required")
	}
	return &Flow{deps: deps, customers: keyedlock.New()}, nil
}

// Register routes order changes to the flow's handler. Call it before the engine starts.
func (f *Flow) Register() error {
	return f.deps.Engine.Register(Kind, Target, f.handle)
}
