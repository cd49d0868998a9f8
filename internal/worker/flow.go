package worker

import (
	"context"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/mapping"
	"github.com/retailsync/retailsync/internal/store"
)

// Flow is one kind of synchronized workflow as the worker hosts it (internal/flows/<kind>).
type Flow interface {
	// Register adds the flow's job handlers to its engine; called before the engine starts.
	Register() error
	// HandleDelivery takes a verified webhook delivery (a hint: the flow re-reads the source).
	HandleDelivery(ctx context.Context, d woocommerce.Delivery) error
	// Poll reads the source's changes since the stored cursor once, the backstop for lost webhooks.
	Poll(ctx context.Context) error
	// Resync rewinds the cursor so the next poll reads everything again; dedup keeps it idempotent.
	Resync(ctx context.Context) error
}

// FlowDeps is what a flow is built from. The clients and the mapper are providers because
// credentials rotate and the MappingSet changes while the flow runs.
type FlowDeps struct {
	Spec   v1alpha1.SyncFlowSpec
	Store  func() *woocommerce.Client
	ERP    func() *erpnext.Client
	Mapper func() *mapping.Mapper
	Engine *engine.Engine
	// Records is the durable store behind the engine (cursors, cross-references).
	Records *store.Store
	Log     logr.Logger
}

// FlowFactory builds a flow of one kind.
type FlowFactory func(FlowDeps) (Flow, error)
