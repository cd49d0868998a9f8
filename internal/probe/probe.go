// Package probe checks that a StoreConnection's endpoint answers and accepts its credentials, with
// the same clients the workers use, so a connection the operator calls Ready is one a worker can use.
package probe

import (
	"context"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/storeclient"
)

// ERPNext probes with frappe.auth.get_logged_user, the cheapest call that proves the token works,
// then asks for the installed versions (best effort: a site may restrict that method).
type ERPNext struct{}

// Probe implements controllers.Prober.
func (ERPNext) Probe(ctx context.Context, spec v1alpha1.StoreConnectionSpec, creds credentials.Set) (string, error) {
	client, err := erpnext.New(erpnext.Config{
		URL:       spec.URL,
		APIKey:    creds.Get(v1alpha1.CredentialAPIKey),
		APISecret: creds.Get(v1alpha1.CredentialAPISecret),
	})
	if err != nil {
		return "", err
	}
	var user string
	if err := client.Call(ctx, "frappe.auth.get_logged_user", nil, &user); err != nil {
		return "", err
	}
	// The version is optional: a site may restrict get_versions, and the credentials were accepted.
	var versions map[string]struct {
		Version string `json:"version"`
	}
	if err := client.Call(ctx, "frappe.utils.change_log.get_versions", nil, &versions); err == nil && versions["erpnext"].Version != "" {
		return "ERPNext " + versions["erpnext"].Version, nil
	}
	return "", nil
}

// WooCommerce probes with GET system_status, which needs a read key and reports the WooCommerce
// version, through the client the workers use (Basic over https, OAuth1 over http).
type WooCommerce struct{}

// Probe implements controllers.Prober.
func (WooCommerce) Probe(ctx context.Context, spec v1alpha1.StoreConnectionSpec, creds credentials.Set) (string, error) {
	client, err := storeclient.WooCommerce(spec, creds, logr.FromContextOrDiscard(ctx))
	if err != nil {
		return "", err
	}
	status, err := client.SystemStatus(ctx)
	if err != nil {
		return "", err
	}
	if status.Environment.Version == "" {
		return "", nil
	}
	return "WooCommerce " + status.Environment.Version, nil
}
