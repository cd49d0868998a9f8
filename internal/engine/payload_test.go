package engine_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/retailsync/retailsync/internal/engine"
	"github.com/retailsync/retailsync/internal/failure"
)

type orderLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Price    string `json:"price"` // money travels as a decimal string, never a float
}

// FuzzDecodePayload: whatever arrives, decoding either yields a value that survives a round trip or
// fails Permanent with MalformedPayload, so bad input is dead-lettered, never retried or dropped.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"sku":"TEE-S","quantity":2,"price":"19.90"}`,
		`{"sku":"TEE-S","quantity":2,"price":19.90}`,
		`{"sku":"TEE-S","quantity":"2"}`,
		`{"sku":"TEE-S","colour":"red"}`,
		`{"sku":"TEE-S"} {"sku":"HAT"}`,
		`null`, `[]`, ``, `{`, "{\"sku\":\"\xff\"}", `{"quantity":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		job := &engine.Job{Resource: "order/1", Payload: payload}
		line, err := engine.DecodePayload[orderLine](job)
		if err != nil {
			var fe *failure.Error
			if !errors.As(err, &fe) || fe.Kind != failure.Permanent || fe.Reason != failure.ReasonMalformedPayload {
				t.Fatalf("DecodePayload(%q) error %v is not a Permanent MalformedPayload failure", payload, err)
			}
			return
		}
		again, err := json.Marshal(line)
		if err != nil {
			t.Fatalf("decoded %q into %+v, which does not encode: %v", payload, line, err)
		}
		back, err := engine.DecodePayload[orderLine](&engine.Job{Resource: "order/1", Payload: again})
		if err != nil || !reflect.DeepEqual(back, line) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", payload, back, err, line)
		}
	})
}
