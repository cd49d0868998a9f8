// Package credentials reads a connection's credentials from its Secret and identifies them by a
// fingerprint. Values never leave this package in an error, a log line or a status field: errors name
// the Secret and the key, and the fingerprint is a truncated one-way hash.
package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Set is the credential values a connection needs, by key (consumerKey, apiSecret, ...).
type Set map[string][]byte

// Get returns one value as a string.
func (s Set) Get(key string) string { return string(s[key]) }

// FromSecret takes the required keys from the Secret. A key that is absent or empty is an error
// naming the Secret and every such key.
func FromSecret(secret *corev1.Secret, required []string) (Set, error) {
	set := make(Set, len(required))
	var missing []string
	for _, key := range required {
		v := secret.Data[key]
		if len(v) == 0 {
			missing = append(missing, key)
			continue
		}
		set[key] = v
	}
	if len(missing) > 0 {
		noun := "key"
		if len(missing) > 1 {
			noun = "keys"
		}
		return nil, fmt.Errorf("Secret %q has no %s %s (or it is empty)", secret.Name, noun, quoteAll(missing))
	}
	return set, nil
}

// Fingerprint is a short one-way hash of the set, stable across reads and different whenever any
// value changes: enough to tell rotations apart, far too short to help guess a secret.
func (s Set) Fingerprint() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	h.Write([]byte("retailsync.io/credentials-fingerprint/v1"))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(s[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, ", ")
}
