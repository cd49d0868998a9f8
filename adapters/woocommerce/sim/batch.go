package sim

import (
	"encoding/json"
	"net/http"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// batchOps are one resource's single-item operations, run item by item as WooCommerce's
// batch_items does: no transaction, a failed item does not stop the others.
type batchOps struct {
	kind   string // for the invalid id error of an update without id
	create func(raw json.RawMessage) (any, *restError)
	update func(id int64, raw json.RawMessage) (any, *restError)
	del    func(id int64) (any, *restError)
}

type batchErrorEntry struct {
	ID    int64         `json:"id"`
	Error restErrorBody `json:"error"`
}

func batchError(id int64, e *restError) batchErrorEntry {
	return batchErrorEntry{ID: id, Error: e.body()}
}

// batch answers 413 over MaxBatchItems items, else 200 with one entry per item: the resource or
// {"id","error"}.
func (s *Sim) batch(r *http.Request, ops batchOps) (int, any, *restError) {
	var body struct {
		Create []json.RawMessage `json:"create"`
		Update []json.RawMessage `json:"update"`
		Delete []json.RawMessage `json:"delete"`
	}
	if e := decodeBody(r, &body); e != nil {
		return 0, nil, e
	}
	if n := len(body.Create) + len(body.Update) + len(body.Delete); n > woocommerce.MaxBatchItems {
		return 0, nil, errf(http.StatusRequestEntityTooLarge, "woocommerce_rest_request_entity_too_large",
			"Unable to accept more than %d items for this request.", woocommerce.MaxBatchItems)
	}
	out := map[string][]any{}
	for _, raw := range body.Create {
		v, e := ops.create(raw)
		if e != nil {
			out["create"] = append(out["create"], batchError(0, e))
			continue
		}
		out["create"] = append(out["create"], v)
	}
	for _, raw := range body.Update {
		var head struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.ID <= 0 {
			out["update"] = append(out["update"], batchError(0, invalidID(ops.kind, http.StatusBadRequest)))
			continue
		}
		v, e := ops.update(head.ID, raw)
		if e != nil {
			out["update"] = append(out["update"], batchError(head.ID, e))
			continue
		}
		out["update"] = append(out["update"], v)
	}
	for _, raw := range body.Delete {
		var id int64
		if json.Unmarshal(raw, &id) != nil {
			var head struct {
				ID int64 `json:"id"`
			}
			_ = json.Unmarshal(raw, &head)
			id = head.ID
		}
		v, e := ops.del(id)
		if e != nil {
			out["delete"] = append(out["delete"], batchError(id, e))
			continue
		}
		out["delete"] = append(out["delete"], v)
	}
	return http.StatusOK, out, nil
}

// decodeItem decodes one batch item, reporting bad JSON as WordPress would for a single request.
func decodeItem[T any](raw json.RawMessage) (T, *restError) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, errf(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): item")
	}
	return v, nil
}

// itemCreate and itemUpdate adapt a typed single-item operation to a batch entry.
func itemCreate[In, Out any](fn func(In) (Out, *restError)) func(json.RawMessage) (any, *restError) {
	return func(raw json.RawMessage) (any, *restError) {
		in, e := decodeItem[In](raw)
		if e != nil {
			return nil, e
		}
		return anyOf(fn(in))
	}
}

func itemUpdate[In, Out any](fn func(int64, In) (Out, *restError)) func(int64, json.RawMessage) (any, *restError) {
	return func(id int64, raw json.RawMessage) (any, *restError) {
		in, e := decodeItem[In](raw)
		if e != nil {
			return nil, e
		}
		return anyOf(fn(id, in))
	}
}

func (s *Sim) batchProducts(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	return s.batch(r, batchOps{
		kind:   "product",
		create: itemCreate(s.createProductFrom),
		update: itemUpdate(s.updateProductFrom),
		del:    func(id int64) (any, *restError) { return anyOf(s.deleteProductByID(id, true)) },
	})
}

func (s *Sim) batchVariations(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	parentID := pathID(r, "id")
	return s.batch(r, batchOps{
		kind: "product_variation",
		create: itemCreate(func(in productInput) (woocommerce.Variation, *restError) {
			return s.createVariationFrom(parentID, in)
		}),
		update: itemUpdate(func(id int64, in productInput) (woocommerce.Variation, *restError) {
			return s.updateVariationFrom(parentID, id, in)
		}),
		del: func(id int64) (any, *restError) { return anyOf(s.deleteVariationByID(parentID, id)) },
	})
}

func anyOf[T any](v T, e *restError) (any, *restError) { return v, e }

// result turns a store operation's answer into Go's error convention for the exported methods,
// never wrapping a nil *restError into a non-nil error.
func result[T any](v T, e *restError) (T, error) {
	if e != nil {
		var zero T
		return zero, e
	}
	return v, nil
}
