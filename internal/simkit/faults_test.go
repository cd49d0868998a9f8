package simkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestFaultedRequestsNeverReachTheAPI pins the property the simulators rely on: a request answered
// with an injected fault changes no state, like a server that failed before its handler ran.
func TestFaultedRequestsNeverReachTheAPI(t *testing.T) {
	reached := 0
	api := http.NewServeMux()
	api.HandleFunc("POST /things", func(w http.ResponseWriter, _ *http.Request) { reached++ })
	kit := NewKit(Faults{ErrorRate: 0.5}, 9)
	h := kit.Handler(api, http.NewServeMux(), func(w http.ResponseWriter, status int, _ string) { w.WriteHeader(status) })
	ok := 0
	for range 200 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/things", nil))
		if w.Code == http.StatusOK {
			ok++
		}
	}
	if reached != ok || ok == 0 || ok == 200 {
		t.Errorf("handler reached %d times, %d answered 200 (of 200 with a 50%% error rate)", reached, ok)
	}
	if n := kit.Accounting.Snapshot()["POST /things"]; n != 200 {
		t.Errorf("counted %d, want every request counted, faulted or not", n)
	}
}

// TestSameSeedSameFaults makes fault runs reproducible: a test that failed under one seed fails the
// same way when run again.
func TestSameSeedSameFaults(t *testing.T) {
	run := func() []int {
		kit := NewKit(Faults{RateLimitRate: 0.3, UnavailableRate: 0.3}, 1234)
		h := kit.Injector.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
			func(w http.ResponseWriter, status int, _ string) { w.WriteHeader(status) })
		var codes []int
		for range 50 {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			codes = append(codes, w.Code)
		}
		return codes
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %d then %d under the same seed", i, a[i], b[i])
		}
	}
}
