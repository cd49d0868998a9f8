package localruntime

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/retailsync/retailsync/internal/workerpod"
)

// Front is the local stand-in for an Ingress in front of the worker Services: one address (a
// StoreConnection's webhooks.publicURL) that routes each flow's webhook path to its worker.
type Front struct {
	mu     sync.RWMutex
	routes map[string]*httputil.ReverseProxy // by webhook path
}

// NewFront returns a Front with no routes.
func NewFront() *Front { return &Front{routes: map[string]*httputil.ReverseProxy{}} }

// Route sends the flow's webhook path to the worker's webhook address.
func (f *Front) Route(flowName, namespace, webhookAddr string) {
	target := &url.URL{Scheme: "http", Host: webhookAddr}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[workerpod.WebhookPath(namespace, flowName)] = proxy
}

// Unroute removes a flow's route; deliveries then get 503, as from an Ingress with no endpoints.
func (f *Front) Unroute(flowName, namespace string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.routes, workerpod.WebhookPath(namespace, flowName))
}

// ServeHTTP proxies the request to the worker whose path it is under, keeping the path.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.RLock()
	var proxy *httputil.ReverseProxy
	for prefix, p := range f.routes {
		if r.URL.Path == prefix || strings.HasPrefix(r.URL.Path, prefix+"/") {
			proxy = p
			break
		}
	}
	f.mu.RUnlock()
	if proxy == nil {
		http.Error(w, "no worker serves "+r.URL.Path, http.StatusServiceUnavailable)
		return
	}
	proxy.ServeHTTP(w, r)
}
