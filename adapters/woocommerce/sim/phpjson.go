package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// phpJSON encodes v as WordPress's wp_json_encode does with PHP's default flags: "/" is written as
// "\/" and every non-ASCII character as \uXXXX (UTF-16, surrogate pairs above U+FFFF), while <, > and
// & stay as they are. A receiver that re-encodes such a body before checking its signature fails,
// which is the point of serving it.
func phpJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return phpEscape(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// phpEscape rewrites valid JSON text. "/" and non-ASCII bytes can only occur inside strings, so no
// tokenizing is needed.
func phpEscape(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == '/':
			out = append(out, '\\', '/')
			b = b[1:]
		case c < utf8.RuneSelf:
			out = append(out, c)
			b = b[1:]
		default:
			r, size := utf8.DecodeRune(b)
			b = b[size:]
			if r > 0xFFFF {
				r -= 0x10000
				out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
				continue
			}
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out
}
