// Package testwait is the polling wait of the project's plain Go tests: a condition checked every
// interval until it holds, or a test failure naming what was awaited and why it did not hold.
// (The Ginkgo suites use Gomega's Eventually.)
package testwait

import (
	"testing"
	"time"
)

// Until checks cond every interval until it holds, or fails t once timeout has passed, with what
// and the detail cond gave last.
func Until(t testing.TB, timeout, interval time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if detail == "" {
				t.Fatalf("timed out waiting for %s", what)
			}
			t.Fatalf("timed out waiting for %s: %s", what, detail)
		}
		<-tick.C
	}
}
