package worker

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/throttle"
)

// Prober checks that an endpoint accepts a set of credentials (internal/probe implements it).
type Prober interface {
	Probe(ctx context.Context, spec v1alpha1.StoreConnectionSpec, creds credentials.Set) (string, error)
}

// Connections holds the clients of a flow's two systems. Credentials change while the worker runs:
// a rotated Secret is tried against the endpoint first and swapped in only when accepted, so a bad
// rotation never breaks a running flow; the last good credentials stay in use and the rejection is
// reported.
type Connections struct {
	probers map[v1alpha1.System]Prober
	log     logr.Logger

	store    atomic.Pointer[woocommerce.Client]
	storeKey woocommerce.Credentials // guarded by mu; read through wooCredentials
	erp      atomic.Pointer[erpnext.Client]

	mu      sync.Mutex
	applied map[string]string // connection name -> spec generation + fingerprint in use
	refused map[string]string // connection name -> fingerprint the endpoint rejected
	problem string            // the latest credential problem, for the report; "" when none
}

// NewConnections returns an empty set; Update fills it from a snapshot.
func NewConnections(probers map[v1alpha1.System]Prober, log logr.Logger) *Connections {
	return &Connections{probers: probers, log: log, applied: map[string]string{}, refused: map[string]string{}}
}

// Store returns the WooCommerce client, nil until configured.
func (c *Connections) Store() *woocommerce.Client { return c.store.Load() }

// ERP returns the ERPNext client, nil until configured.
func (c *Connections) ERP() *erpnext.Client { return c.erp.Load() }

// Problem returns the latest credential problem, "" when none.
func (c *Connections) Problem() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.problem
}

// wooCredentials is the WooCommerce client's CredentialsSource: the client asks for the key on
// every request, so swapping storeKey rotates it for requests already queued too.
type wooCredentials struct{ c *Connections }

func (w wooCredentials) Credentials(context.Context) (woocommerce.Credentials, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.storeKey, nil
}

// Update brings both connections in line with the snapshot. It returns an error only when a
// connection cannot be used at all (no accepted credentials yet and none given).
func (c *Connections) Update(ctx context.Context, snap Snapshot) error {
	for _, conn := range []*v1alpha1.StoreConnection{snap.Source, snap.Target} {
		secret := snap.Secrets[conn.Spec.CredentialsSecretRef.Name]
		creds, err := credentials.FromSecret(secret, conn.Spec.RequiredCredentialKeys())
		if err != nil {
			c.setProblem(fmt.Sprintf("StoreConnection %q: %v", conn.Name, err))
			continue // keep whatever is in use
		}
		if err := c.apply(ctx, conn, creds); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connections) apply(ctx context.Context, conn *v1alpha1.StoreConnection, creds credentials.Set) error {
	fp := creds.Fingerprint()
	key := fmt.Sprintf("%d/%s", conn.Generation, fp)
	c.mu.Lock()
	current, refused := c.applied[conn.Name], c.refused[conn.Name]
	c.mu.Unlock()
	if current == key {
		return nil
	}
	if current != "" {
		// A rotation (or a spec change): prove the new credentials before they replace good ones.
		if refused == fp {
			return nil // already refused; wait for the Secret to change again
		}
		if prober := c.probers[conn.Spec.System]; prober != nil {
			pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			_, err := prober.Probe(pctx, conn.Spec, creds)
			cancel()
			if err != nil {
				c.mu.Lock()
				c.refused[conn.Name] = fp
				c.problem = fmt.Sprintf("New credentials for StoreConnection %q (fingerprint %s) were not accepted, still using the previous ones: %v", conn.Name, fp, err)
				c.mu.Unlock()
				c.log.Info("Kept the previous credentials: the new ones failed verification", "connection", conn.Name, "fingerprint", fp, "error", err.Error())
				return nil
			}
		}
	}
	if err := c.install(conn, creds); err != nil {
		return err
	}
	c.mu.Lock()
	c.applied[conn.Name] = key
	delete(c.refused, conn.Name)
	c.problem = ""
	c.mu.Unlock()
	if current != "" {
		c.log.Info("Swapped in verified new credentials", "connection", conn.Name, "fingerprint", fp)
	}
	return nil
}

// install builds (or re-keys) the client of one connection.
func (c *Connections) install(conn *v1alpha1.StoreConnection, creds credentials.Set) error {
	spec := conn.Spec
	limits := throttle.Limits{
		RequestsPerSecond: float64(spec.RateLimit.RequestsPerSecond),
		Burst:             int(spec.RateLimit.Burst),
		MaxInFlight:       int(spec.RateLimit.MaxInFlight),
	}
	timeout := time.Duration(0)
	if spec.Timeout != nil {
		timeout = spec.Timeout.Duration
	}
	switch spec.System {
	case v1alpha1.SystemWooCommerce:
		c.mu.Lock()
		c.storeKey = woocommerce.Credentials{
			ConsumerKey:    creds.Get(v1alpha1.CredentialConsumerKey),
			ConsumerSecret: creds.Get(v1alpha1.CredentialConsumerSecret),
		}
		c.mu.Unlock()
		client, err := woocommerce.New(woocommerce.Config{
			BaseURL: spec.URL, Credentials: wooCredentials{c}, Auth: woocommerce.AuthMethod(spec.EffectiveAuthMethod()),
			Limits: limits, Timeout: timeout, Logger: c.log.WithValues("system", "WooCommerce"),
		})
		if err != nil {
			return err
		}
		c.store.Store(client)
	case v1alpha1.SystemERPNext:
		client, err := erpnext.New(erpnext.Config{
			URL: spec.URL, APIKey: creds.Get(v1alpha1.CredentialAPIKey), APISecret: creds.Get(v1alpha1.CredentialAPISecret),
			Limits: limits, Timeout: timeout, Log: c.log.WithValues("system", "ERPNext"),
		})
		if err != nil {
			return err
		}
		c.erp.Store(client)
	default:
		return fmt.Errorf("this worker cannot talk to %s yet", spec.System)
	}
	return nil
}

func (c *Connections) setProblem(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problem = p
}
