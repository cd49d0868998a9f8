package simkit

import (
	"encoding/json"
	"net/http"
	"strings"
)

// AdminPrefix is where a simulator serves its sim-only API. Faults and accounting skip it.
const AdminPrefix = "/__sim/"

// Kit is the shared part of a simulator's HTTP stack.
type Kit struct {
	Injector   *Injector
	Accounting *Accounting
}

// NewKit returns a Kit with the given initial faults and random seed.
func NewKit(f Faults, seed uint64) *Kit {
	return &Kit{Injector: NewInjector(f, seed), Accounting: NewAccounting()}
}

// Handler assembles a simulator: admin routes (the simulator's own, registered on admin, plus
// /__sim/faults and /__sim/requests) pass straight through; every other request is counted under the
// api mux pattern it matches and then goes through fault injection to api.
func (k *Kit) Handler(api *http.ServeMux, admin *http.ServeMux, writeError ErrorWriter) http.Handler {
	admin.HandleFunc("GET "+AdminPrefix+"faults", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, k.Injector.Faults())
	})
	admin.HandleFunc("PUT "+AdminPrefix+"faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			http.Error(w, "bad faults document: "+err.Error(), http.StatusBadRequest)
			return
		}
		k.Injector.Set(f)
		WriteJSON(w, http.StatusOK, f)
	})
	admin.HandleFunc("POST "+AdminPrefix+"outage", func(w http.ResponseWriter, r *http.Request) {
		on := r.URL.Query().Get("on") != "false"
		k.Injector.SetOutage(on)
		WriteJSON(w, http.StatusOK, k.Injector.Faults())
	})
	admin.HandleFunc("GET "+AdminPrefix+"requests", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, k.Accounting.Snapshot())
	})
	admin.HandleFunc("DELETE "+AdminPrefix+"requests", func(w http.ResponseWriter, _ *http.Request) {
		k.Accounting.Reset()
		w.WriteHeader(http.StatusNoContent)
	})

	faulted := k.Injector.Middleware(api, writeError)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, AdminPrefix) {
			admin.ServeHTTP(w, r)
			return
		}
		_, pattern := api.Handler(r)
		if pattern == "" {
			pattern = r.Method + " (no route)"
		} else if !strings.Contains(pattern, " ") {
			pattern = r.Method + " " + pattern
		}
		k.Accounting.Count(pattern)
		faulted.ServeHTTP(w, r)
	})
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
