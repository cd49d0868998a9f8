package sim

import (
	"encoding/json"
	"strconv"
)

// cloneJSON deep-copies a wire value, so that callers never share the store's slices and maps.
func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // wire types always marshal
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
