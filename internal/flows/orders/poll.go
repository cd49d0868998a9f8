package orders

import (
	"context"
	"fmt"
	"maps"
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
// does it step by offset within that second, and then it reads that second again (sweepSecond)
// before the cursor leaves it.
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
	atCursor := map[int64]bool{} // orders of the cursor's second read since the cursor got there
	for {
		orders, err := f.pollPage(ctx, wc, cursor, offset)
		if err != nil {
			return fmt.Errorf("orders: poll after %s: %w", cursor.Format(time.RFC3339), err)
		}
		next := cursor
		for _, o := range orders {
			if o.DateModifiedGMT.After(next) {
				next = o.DateModifiedGMT.Time
			}
			if o.DateModifiedGMT.Equal(cursor) {
				atCursor[o.ID] = true
			}
		}
		// Leaving a second stepped through by offset: the cursor stays on it until it is swept.
		leaving := next.After(cursor) && offset > 0
		stored := next
		if leaving {
			stored = cursor
		}
		n, err := f.enqueue(ctx, stored, orders)
		if err != nil {
			return err
		}
		taken += n
		if leaving {
			if n, err = f.sweepSecond(ctx, wc, cursor, atCursor); err != nil {
				return err
			}
			taken += n
			if _, err := f.enqueue(ctx, next, nil); err != nil {
				return err
			}
		}
		if len(orders) < pollPage {
			f.deps.Log.V(1).Info("Polled orders", "queued", taken, "cursor", formatCursor(next))
			return nil
		}
		if next.After(cursor) {
			cursor, offset = next, 0
			clear(atCursor)
		} else {
			offset += len(orders)
		}
	}
}

// enqueue queues the orders and moves the cursor to cursor in one transaction, returning how many
// changes were new.
func (f *Flow) enqueue(ctx context.Context, cursor time.Time, orders []woocommerce.Order) (int, error) {
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
	}
	enq, err := f.deps.Engine.EnqueueAndAdvance(ctx, store.Cursor{Name: CursorName, Value: formatCursor(cursor)}, changes...)
	if err != nil {
		return 0, fmt.Errorf("orders: enqueue polled orders: %w", err)
	}
	return enq.Count(), nil
}

// maxSweeps bounds the reads of one second; a second that keeps changing is read again by the next
// pass, which starts from it.
const maxSweeps = 5

// sweepSecond reads second s, which the pass stepped through by offset, again and again until two
// reads in a row see the same orders, queueing what each read finds. Stepping by offset misses an
// order when one read before it is modified meanwhile: that order leaves the second (its
// modification date moves on) and shifts the rest back by one. So a read is complete when no order
// it saw left the second before the next read; and since the second is over (a later one has
// orders), orders can only leave it, never join it.
func (f *Flow) sweepSecond(ctx context.Context, wc *woocommerce.Client, s time.Time, seen map[int64]bool) (int, error) {
	queued := 0
	for range maxSweeps {
		var orders []woocommerce.Order
		now := map[int64]bool{}
		opts := woocommerce.ListOptions{PerPage: pollPage, OrderBy: "modified", Order: "asc",
			ModifiedAfter: s.Add(-pollOverlap), ModifiedBefore: s.Add(time.Second)}
		for o, err := range wc.Orders(ctx, opts) {
			if err != nil {
				return queued, fmt.Errorf("orders: read the orders of %s again: %w", formatCursor(s), err)
			}
			orders = append(orders, o)
			now[o.ID] = true
		}
		n, err := f.enqueue(ctx, s, orders)
		if err != nil {
			return queued, err
		}
		queued += n
		if maps.Equal(now, seen) {
			return queued, nil
		}
		seen = now
	}
	return queued, fmt.Errorf("orders: the orders modified in %s kept changing over %d reads; the next poll reads them again",
		formatCursor(s), maxSweeps)
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

// Resync resets the cursor so that the next poll reads every order again; version dedup makes that
// idempotent, and changes already in the ERP are recognised there.
func (f *Flow) Resync(ctx context.Context) error {
	if _, err := f.deps.Engine.EnqueueAndAdvance(ctx, store.Cursor{Name: CursorName, Value: ""}); err != nil {
		return fmt.Errorf("orders: reset the poll cursor: %w", err)
	}
	f.deps.Log.Info("Reset the order poll cursor: the next poll reads every order")
	return nil
}
