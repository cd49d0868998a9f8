package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/retailsync/retailsync/internal/failure"
)

// MaxBatchItems is how many create+update+delete items one batch request may carry; more is
// refused with 413 woocommerce_rest_request_entity_too_large.
const MaxBatchItems = 100

// Batch is a batch write: C is the resource to create, U the update (with its ID).
type Batch[C, U any] struct {
	Create []C     `json:"create,omitempty"`
	Update []U     `json:"update,omitempty"`
	Delete []int64 `json:"delete,omitempty"`
}

// BatchItem is the outcome of one item. Index is its position in the caller's Create, Update or
// Delete slice. Exactly one of Resource and Err is meaningful. WooCommerce runs items one by one
// without a transaction, so some can fail while others succeed, and a failed create may still have
// created the product.
type BatchItem[T any] struct {
	Index    int
	ID       int64
	Resource T
	Err      error
}

// BatchResult holds one outcome per requested item, in request order.
type BatchResult[T any] struct {
	Create []BatchItem[T]
	Update []BatchItem[T]
	Delete []BatchItem[T]
}

// Failed returns the items that failed, creates first.
func (r BatchResult[T]) Failed() []BatchItem[T] {
	var out []BatchItem[T]
	for _, group := range [][]BatchItem[T]{r.Create, r.Update, r.Delete} {
		for _, it := range group {
			if it.Err != nil {
				out = append(out, it)
			}
		}
	}
	return out
}

// runBatch splits b into requests of at most MaxBatchItems and sends them in order. An HTTP 200
// answer is read item by item. When a whole request fails, the batch stops: the items of that request
// and of the ones not sent carry the request's error, which is also returned, so nothing is silently
// skipped and the caller can retry exactly what did not happen.
func runBatch[T, C, U any](ctx context.Context, c *Client, path string, b Batch[C, U]) (BatchResult[T], error) {
	var res BatchResult[T]
	for _, chunk := range splitBatch(b) {
		var answer struct {
			Create []json.RawMessage `json:"create"`
			Update []json.RawMessage `json:"update"`
			Delete []json.RawMessage `json:"delete"`
		}
		wire, err := chunk.wire()
		if err == nil {
			_, err = c.call(ctx, "POST", path, nil, wire, &answer)
		}
		if err != nil {
			res.failFrom(chunk.createFrom, chunk.updateFrom, chunk.deleteFrom, len(b.Create), len(b.Update), len(b.Delete), err)
			return res, err
		}
		res.Create = appendItems[T](res.Create, chunk.createFrom, len(chunk.batch.Create), answer.Create, path)
		res.Update = appendItems[T](res.Update, chunk.updateFrom, len(chunk.batch.Update), answer.Update, path)
		res.Delete = appendItems[T](res.Delete, chunk.deleteFrom, len(chunk.batch.Delete), answer.Delete, path)
	}
	return res, nil
}

type batchChunk[C, U any] struct {
	batch                              Batch[C, U]
	createFrom, updateFrom, deleteFrom int
}

// wire is the chunk as sent: creates without their unset fields, as createBody explains.
func (ch batchChunk[C, U]) wire() (any, error) {
	creates := make([]json.RawMessage, len(ch.batch.Create))
	for i, c := range ch.batch.Create {
		raw, err := createBody(c)
		if err != nil {
			return nil, failure.Permanentf(failure.ReasonInternal, "encode batch create %d: %v", ch.createFrom+i, err)
		}
		creates[i] = raw
	}
	return struct {
		Create []json.RawMessage `json:"create,omitempty"`
		Update []U               `json:"update,omitempty"`
		Delete []int64           `json:"delete,omitempty"`
	}{creates, ch.batch.Update, ch.batch.Delete}, nil
}

// splitBatch cuts b into chunks of at most MaxBatchItems, filling each with creates, then updates,
// then deletes.
func splitBatch[C, U any](b Batch[C, U]) []batchChunk[C, U] {
	var chunks []batchChunk[C, U]
	ci, ui, di := 0, 0, 0
	for ci < len(b.Create) || ui < len(b.Update) || di < len(b.Delete) {
		ch := batchChunk[C, U]{createFrom: ci, updateFrom: ui, deleteFrom: di}
		room := MaxBatchItems
		n := min(room, len(b.Create)-ci)
		ch.batch.Create, ci, room = b.Create[ci:ci+n], ci+n, room-n
		n = min(room, len(b.Update)-ui)
		ch.batch.Update, ui, room = b.Update[ui:ui+n], ui+n, room-n
		n = min(room, len(b.Delete)-di)
		ch.batch.Delete, di = b.Delete[di:di+n], di+n
		chunks = append(chunks, ch)
	}
	return chunks
}

// failFrom records err for every item from the failed chunk onwards.
func (r *BatchResult[T]) failFrom(create, update, del, creates, updates, deletes int, err error) {
	fail := func(group []BatchItem[T], from, to int) []BatchItem[T] {
		for i := from; i < to; i++ {
			group = append(group, BatchItem[T]{Index: i, Err: err})
		}
		return group
	}
	r.Create = fail(r.Create, create, creates)
	r.Update = fail(r.Update, update, updates)
	r.Delete = fail(r.Delete, del, deletes)
}

// appendItems decodes one group of a batch answer. A missing entry (WooCommerce answered fewer
// items than sent) becomes an error on that item rather than vanishing.
func appendItems[T any](out []BatchItem[T], from, sent int, entries []json.RawMessage, path string) []BatchItem[T] {
	for i := 0; i < sent; i++ {
		item := BatchItem[T]{Index: from + i}
		if i >= len(entries) {
			item.Err = &failure.Error{Kind: failure.Transient, Reason: failure.ReasonBadResponse, System: System,
				Message: fmt.Sprintf("POST %s: answer has no entry for item %d", path, from+i)}
			out = append(out, item)
			continue
		}
		item.ID, item.Resource, item.Err = decodeBatchEntry[T](entries[i], path)
		out = append(out, item)
	}
	return out
}

func decodeBatchEntry[T any](raw json.RawMessage, path string) (int64, T, error) {
	var zero T
	var head struct {
		ID    int64     `json:"id"`
		Error *APIError `json:"error"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, zero, badEntry(path, err)
	}
	if head.Error != nil && head.Error.Code != "" {
		status := head.Error.Data.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return head.ID, zero, errorFromBody(status, nil, *head.Error, "POST "+path+": "+head.Error.Message, time.Time{})
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return head.ID, zero, badEntry(path, err)
	}
	return head.ID, v, nil
}

func badEntry(path string, err error) error {
	return &failure.Error{Kind: failure.Transient, Reason: failure.ReasonBadResponse, System: System,
		Message: fmt.Sprintf("POST %s: cannot decode item: %v", path, err)}
}
