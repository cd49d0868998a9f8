package sim

import (
	"encoding/json"
	"net/http"

	"github.com/retailsync/retailsync/internal/simkit"
	"github.com/shopspring/decimal"
)

// adminMux serves the sim-only API under /__sim/ that drives ERP-side activity and reads the ledger.
func (s *Server) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /__sim/items", adminDo(func(spec ItemSpec) (any, error) { return spec, s.AddItem(spec) }))
	mux.HandleFunc("POST /__sim/accounts", adminDo(func(a struct {
		Name        string `json:"name"`
		AccountType string `json:"account_type"`
	}) (any, error) {
		s.AddAccount(a.Name, a.AccountType)
		return a, nil
	}))
	mux.HandleFunc("POST /__sim/warehouses", adminDo(func(w struct {
		Name string `json:"name"`
	}) (any, error) {
		s.AddWarehouse(w.Name)
		return w, nil
	}))
	mux.HandleFunc("POST /__sim/stock", adminDo(func(m struct {
		ItemCode  string          `json:"item_code"`
		Warehouse string          `json:"warehouse"`
		Qty       decimal.Decimal `json:"qty"`
	}) (any, error) {
		return m, s.MoveStock(m.ItemCode, m.Warehouse, m.Qty)
	}))
	mux.HandleFunc("POST /__sim/prices", adminDo(func(p struct {
		ItemCode  string          `json:"item_code"`
		PriceList string          `json:"price_list"`
		Rate      decimal.Decimal `json:"rate"`
	}) (any, error) {
		name, err := s.SetPrice(p.ItemCode, p.PriceList, p.Rate)
		return map[string]string{"name": name}, err
	}))
	mux.HandleFunc("POST /__sim/deliveries", adminDo(func(d Delivery) (any, error) { return s.Deliver(d) }))
	mux.HandleFunc("POST /__sim/tracking", adminDo(func(t struct {
		Shipment       string `json:"shipment"`
		TrackingStatus string `json:"tracking_status"`
	}) (any, error) {
		return t, s.SetTrackingStatus(t.Shipment, t.TrackingStatus)
	}))
	mux.HandleFunc("GET /__sim/gl", func(w http.ResponseWriter, _ *http.Request) {
		simkit.WriteJSON(w, http.StatusOK, s.GLEntries())
	})
	mux.HandleFunc("GET /__sim/balances", func(w http.ResponseWriter, _ *http.Request) {
		simkit.WriteJSON(w, http.StatusOK, s.Balances())
	})
	return mux
}

// adminDo decodes a JSON request into T, runs fn, and answers its result or its error.
func adminDo[T any](fn func(T) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeFrappeError(w, validation("ValidationError", "bad request body: %v", err))
			return
		}
		out, err := fn(in)
		if err != nil {
			fe, ok := err.(*frappeError)
			if !ok {
				fe = newError(http.StatusInternalServerError, "Exception", "%v", err)
			}
			writeFrappeError(w, fe)
			return
		}
		simkit.WriteJSON(w, http.StatusOK, out)
	}
}
