package orders

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/store"
)

// pollOverlap re-reads the cursor's own second: WooCommerce dates have one-second resolution, so
// an order modified later in the second the cursor stopped at would otherwise be skipped. Re-read
// orders collapse in the engine by version.
const pollOverlap = time.Second

// pollPage is how many orders one request reads (wc/v3's maximum).
const pollPage = woocommerce.MaxPerPage

// Poll is one pass of the backstop: every order modified since the cursor, oldest first, enqueued
// page by page with the cursor advanced in the same transaction. It pages by the cursor (keyset),
// not by page number, because an order modified during the pass moves to the end of the list and
// would shift a numbered page over an order never read. Only when a whole page shares one second
// does it step by offset within that second.
func (f *Flow) Poll(ctx context.Context) error {
	wc := f.deps.Store()
	if wc == nil {
		return failure.Transientf(failure.ReasonUnavailable, "orders: the WooCommerce connection is not ready")
	}
	cursor, err := f.cursor(ctx)
	if err != nil {
		return err
	}
	offset, taken := 0, 0
	for {
		orders, err := f.pollPage(ctx, wc, cursor, offset)
		if err != nil {
			return fmt.Errorf("orders: poll after %s: %w", cursor.Format(time.RFC3339), err)
		}
		next := cursor
		changes := make([]engine.Change, 0, len(orders))
		for _, o := range orders {
			c, err := change(o.ID, o.DateModifiedGMT.Time, o.Status)
			if err != nil {
				// An order without a modification date cannot be versioned; it is not lost to the
				// webhook path, and skipping it here keeps the pass from stalling on it.
				f.deps.Log.Info("Skipped an order the poll cannot version", "order", o.ID, "error", err.Error())
				continue
			}
			changes = append(changes, c)
			if o.DateModifiedGMT.After(next) {
				next = o.DateModifiedGMT.Time
			}
		}
		enq, err := f.deps.Engine.EnqueueAndAdvance(ctx, store.Cursor{Name: CursorName, Value: formatCursor(next)}, changes...)
		if err != nil {
			return fmt.Errorf("orders: enqueue polled orders: %w", err)
		}
		taken += enq.Count()
		if len(orders) < pollPage {
			f.deps.Log.V(1).Info("Polled orders", "queued", taken, "cursor", formatCursor(next))
			return nil
		}
		if next.After(cursor) {
			cursor, offset = next, 0
		} else {
			offset += len(orders)
		}
	}
}

// pollPage reads up to one page of orders modified after cursor less the overlap.
func (f *Flow) pollPage(ctx context.Context, wc *woocommerce.Client, cursor time.Time, offset int) ([]woocommerce.Order, error) {
	opts := woocommerce.ListOptions{PerPage: pollPage, OrderBy: "modified", Order: "asc"}
	if !cursor.IsZero() {
		opts.ModifiedAfter = cursor.Add(-pollOverlap)
	}
	if offset > 0 {
		opts.Extra = url.Values{"offset": {strconv.Itoa(offset)}}
	}
	var out []woocommerce.Order
	for o, err := range wc.Orders(ctx, opts) {
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		if len(out) == pollPage {
			break
		}
	}
	return out, nil
}

func (f *Flow) cursor(ctx context.Context) (time.Time, error) {
	v, err := f.deps.Cursors.CursorValue(ctx, CursorName)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		// Only a person editing the database gets here; reading everything again is safe.
		f.deps.Log.Info("Read everything again: the poll cursor is not a date", "cursor", v)
		return time.Time{}, nil
	}
	return t, nil
}

func formatCursor(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Run polls every PollInterval until ctx ends. A failed pass is logged and tried again at the next
// tick: the cursor only moves with what was enqueued, so nothing is skipped.
func (f *Flow) Run(ctx context.Context) error {
	t := time.NewTicker(f.deps.PollInterval)
	defer t.Stop()
	for {
		if err := f.Poll(ctx); err != nil && ctx.Err() == nil {
			f.deps.Log.Error(err, "Failed to poll orders")
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil
			}
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Resync resets the cursor so that the next poll reads every order again; version dedup makes that
// idempotent, and changes already in the ERP are recognised there.
func (f *Flow) Resync(ctx context.Context) error {
	if _, err := f.deps.Engine.EnqueueAndAdvance(ctx, store.Cursor{Name: CursorName, Value: ""}); err != nil {
		return fmt.Errorf("orders: reset the poll cursor: %w", err)
	}
	f.deps.Log.Info("Reset the order poll cursor: the next poll reads every order")
	return nil
}
