package sim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/internal/simkit"
)

// registerAdmin serves the sim-only API under /__sim/ that drives storefront activity and reads the
// store's private state. It needs no credentials: it is not part of WooCommerce.
func (s *Sim) registerAdmin(mux *http.ServeMux) {
	p := simkit.AdminPrefix
	mux.HandleFunc("POST "+p+"orders", func(w http.ResponseWriter, r *http.Request) {
		spec, ok := readAdmin[OrderSpec](w, r)
		if !ok {
			return
		}
		if len(spec.Lines) == 0 {
			spec = s.RandomOrder()
		}
		o, err := s.PlaceOrder(spec)
		adminAnswer(w, http.StatusCreated, o, err)
	})
	mux.HandleFunc("POST "+p+"orders/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		o, err := s.PayOrder(pathID(r, "id"))
		adminAnswer(w, http.StatusOK, o, err)
	})
	mux.HandleFunc("POST "+p+"orders/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		o, err := s.CompleteOrder(pathID(r, "id"))
		adminAnswer(w, http.StatusOK, o, err)
	})
	mux.HandleFunc("POST "+p+"orders/{id}/refunds", func(w http.ResponseWriter, r *http.Request) {
		req, ok := readAdmin[woocommerce.RefundRequest](w, r)
		if !ok {
			return
		}
		rf, err := s.RefundOrder(pathID(r, "id"), req)
		adminAnswer(w, http.StatusCreated, rf, err)
	})
	mux.HandleFunc("PUT "+p+"stock/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readAdmin[struct {
			StockQuantity int `json:"stock_quantity"`
		}](w, r)
		if !ok {
			return
		}
		adminAnswer(w, http.StatusOK, body, s.SetStock(pathID(r, "id"), body.StockQuantity))
	})
	mux.HandleFunc("POST "+p+"webhooks/deliver", func(w http.ResponseWriter, r *http.Request) {
		simkit.WriteJSON(w, http.StatusOK, map[string]int{"delivered": s.DeliverPending(r.Context())})
	})
	mux.HandleFunc("GET "+p+"webhooks/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		simkit.WriteJSON(w, http.StatusOK, s.Deliveries())
	})
	mux.HandleFunc("GET "+p+"webhooks", func(w http.ResponseWriter, _ *http.Request) {
		simkit.WriteJSON(w, http.StatusOK, s.Webhooks())
	})
	mux.HandleFunc("GET "+p+"delivery", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		o := s.cfg.Delivery
		s.mu.Unlock()
		simkit.WriteJSON(w, http.StatusOK, o)
	})
	mux.HandleFunc("PUT "+p+"delivery", func(w http.ResponseWriter, r *http.Request) {
		o, ok := readAdmin[DeliveryOptions](w, r)
		if !ok {
			return
		}
		s.SetDelivery(o)
		simkit.WriteJSON(w, http.StatusOK, o)
	})
}

func readAdmin[T any](w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err == nil && len(b) > 0 {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		simkit.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request body: " + err.Error()})
		return v, false
	}
	return v, true
}

func adminAnswer(w http.ResponseWriter, status int, v any, err error) {
	var re *restError
	switch {
	case errors.As(err, &re):
		writeError(w, re)
	case err != nil:
		simkit.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, status, v)
	}
}

// systemStatus serves the parts of GET /system_status a connection probe reads.
func (s *Sim) systemStatus(_ http.ResponseWriter, _ *http.Request) (int, any, *restError) {
	var st woocommerce.SystemStatus
	s.mu.Lock()
	st.Environment.HomeURL, st.Environment.SiteURL = s.cfg.SiteURL, s.cfg.SiteURL
	st.Settings.Currency = s.cfg.Currency
	s.mu.Unlock()
	st.Environment.Version, st.Environment.WPVersion = wcVersion, "6.7.1"
	st.Environment.PHPVersion = "8.3.14 (simulated by " + runtime.Version() + ")"
	st.Environment.DefaultTZ = "UTC"
	st.Settings.CurrencySymbol, st.Settings.NumberOfDecimals, st.Settings.TaxesEnabled = "$", 2, true
	return http.StatusOK, st, nil
}
