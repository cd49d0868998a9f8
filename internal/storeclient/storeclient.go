// Package storeclient builds adapter clients from a StoreConnection and the credentials its Secret
// holds, so the prober, the operator's webhook management and the workers reach a system the same way.
package storeclient

import (
	"fmt"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/throttle"
)

// WooCommerce returns a client for a WooCommerce connection with its auth method (Basic over https,
// OAuth1 over http unless spec.auth says otherwise), request timeout and rate limits.
func WooCommerce(spec v1alpha1.StoreConnectionSpec, creds credentials.Set, log logr.Logger) (*woocommerce.Client, error) {
	if spec.System != v1alpha1.SystemWooCommerce {
		return nil, fmt.Errorf("storeclient: connection is %s, not WooCommerce", spec.System)
	}
	var auth woocommerce.AuthMethod
	switch m := spec.EffectiveAuthMethod(); m {
	case v1alpha1.AuthBasic:
		auth = woocommerce.AuthBasic
	case v1alpha1.AuthOAuth1:
		auth = woocommerce.AuthOAuth1
	default:
		return nil, fmt.Errorf("storeclient: auth method %s does not suit WooCommerce", m)
	}
	cfg := woocommerce.Config{
		BaseURL: spec.URL,
		Credentials: woocommerce.StaticCredentials{
			ConsumerKey:    creds.Get(v1alpha1.CredentialConsumerKey),
			ConsumerSecret: creds.Get(v1alpha1.CredentialConsumerSecret),
		},
		Auth: auth,
		Limits: throttle.Limits{
			RequestsPerSecond: float64(spec.RateLimit.RequestsPerSecond),
			Burst:             int(spec.RateLimit.Burst),
			MaxInFlight:       int(spec.RateLimit.MaxInFlight),
		},
		Logger: log,
	}
	if spec.Timeout != nil {
		cfg.Timeout = spec.Timeout.Duration
	}
	return woocommerce.New(cfg)
}
