package v1alpha1

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// System is the kind of external system a StoreConnection reaches.
// +kubebuilder:validation:Enum=WooCommerce;ERPNext;Odoo
type System string

const (
	SystemWooCommerce System = "WooCommerce"
	SystemERPNext     System = "ERPNext"
	SystemOdoo        System = "Odoo"
)

// AuthMethod is how requests to the system are authenticated.
// +kubebuilder:validation:Enum=Basic;OAuth1;Token;Bearer;JSONRPC
type AuthMethod string

const (
	// AuthBasic is HTTP Basic with the WooCommerce consumer key and secret; WooCommerce accepts it over https only.
	AuthBasic AuthMethod = "Basic"
	// AuthOAuth1 is one-legged OAuth 1.0a, which WooCommerce requires over plain http.
	AuthOAuth1 AuthMethod = "OAuth1"
	// AuthToken is Frappe's `Authorization: token key:secret`.
	AuthToken AuthMethod = "Token"
	// AuthBearer is Odoo 19's JSON-2 API key.
	AuthBearer AuthMethod = "Bearer"
	// AuthJSONRPC is Odoo's older JSON-RPC with database, user and API key.
	AuthJSONRPC AuthMethod = "JSONRPC"
)

// Keys each system expects in the credentials Secret.
const (
	CredentialConsumerKey    = "consumerKey"
	CredentialConsumerSecret = "consumerSecret"
	CredentialAPIKey         = "apiKey"
	CredentialAPISecret      = "apiSecret"
	CredentialDatabase       = "database"
	CredentialUsername       = "username"
)

// StoreConnectionSpec declares one external system endpoint and how to reach it.
// +kubebuilder:validation:XValidation:rule="self.url.startsWith('https://') || self.allowInsecureHTTP",message="url must use https:// unless allowInsecureHTTP is true"
// +kubebuilder:validation:XValidation:rule="!has(self.webhooks) || self.system == 'WooCommerce'",message="webhooks can only be set on WooCommerce connections"
// +kubebuilder:validation:XValidation:rule="!has(self.auth) || !has(self.auth.method) || (self.system == 'WooCommerce' && self.auth.method in ['Basic', 'OAuth1']) || (self.system == 'ERPNext' && self.auth.method == 'Token') || (self.system == 'Odoo' && self.auth.method in ['Bearer', 'JSONRPC'])",message="auth.method must suit the system: Basic or OAuth1 for WooCommerce, Token for ERPNext, Bearer or JSONRPC for Odoo"
// +kubebuilder:validation:XValidation:rule="!has(self.auth) || !has(self.auth.method) || self.auth.method != 'Basic' || self.url.startsWith('https://')",message="Basic authentication needs an https:// url; WooCommerce over plain http takes OAuth1"
type StoreConnectionSpec struct {
	// System is the kind of system at the other end. It cannot be changed after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="system is immutable"
	// +required
	System System `json:"system"`

	// URL is the base address of the site, without the API path (https://shop.example.com).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[^\s/?#]+(/[^\s?#]*)?$`
	// +required
	URL string `json:"url"`

	// AllowInsecureHTTP permits an http:// url. Meant for simulators and local development only:
	// credentials travel in clear unless the system signs requests (WooCommerce OAuth1).
	// +optional
	AllowInsecureHTTP bool `json:"allowInsecureHTTP,omitempty"`

	// CredentialsSecretRef names the Secret holding the credentials. Keys by system: WooCommerce
	// consumerKey and consumerSecret; ERPNext apiKey and apiSecret; Odoo database, username and apiKey.
	// Changing the Secret rotates the credentials without restarting any worker.
	// +required
	CredentialsSecretRef LocalObjectReference `json:"credentialsSecretRef"`

	// Auth chooses the authentication method; each system has a default.
	// +optional
	Auth *AuthSpec `json:"auth,omitempty"`

	// RateLimit bounds the load this connection puts on the system, shared by every flow that uses it.
	// +kubebuilder:default={requestsPerSecond: 10, burst: 20, maxInFlight: 4}
	// +optional
	RateLimit RateLimit `json:"rateLimit,omitempty"`

	// Timeout bounds each request.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="30s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// HealthCheckInterval is how often the endpoint is probed with the current credentials.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="5m"
	// +optional
	HealthCheckInterval *metav1.Duration `json:"healthCheckInterval,omitempty"`

	// Webhooks configures the webhooks the operator registers in WooCommerce for flows sourced here.
	// +optional
	Webhooks *WebhookSpec `json:"webhooks,omitempty"`
}

// AuthSpec selects an authentication method.
type AuthSpec struct {
	// Method defaults per system: Basic over https and OAuth1 over http for WooCommerce, Token for
	// ERPNext, Bearer for Odoo.
	// +optional
	Method AuthMethod `json:"method,omitempty"`
}

// RateLimit bounds requests to one system.
type RateLimit struct {
	// RequestsPerSecond is the sustained request rate.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=10
	// +optional
	RequestsPerSecond int32 `json:"requestsPerSecond,omitempty"`

	// Burst is how many requests may go at once above the sustained rate.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=20
	// +optional
	Burst int32 `json:"burst,omitempty"`

	// MaxInFlight caps concurrent requests.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=256
	// +kubebuilder:default=4
	// +optional
	MaxInFlight int32 `json:"maxInFlight,omitempty"`
}

// WebhookSpec configures WooCommerce webhooks for this store.
type WebhookSpec struct {
	// PublicURL is where WooCommerce can reach the workers' webhook receivers (an Ingress or tunnel
	// in front of the worker Services). Each flow's path is appended to it.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[^\s/?#]+(/[^\s?#]*)?$`
	// +required
	PublicURL string `json:"publicURL"`

	// SecretRotationInterval is how often the operator generates a new webhook secret. The previous
	// secret stays accepted for a grace period so that no delivery in flight is rejected.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="720h"
	// +optional
	SecretRotationInterval *metav1.Duration `json:"secretRotationInterval,omitempty"`
}

// StoreConnectionStatus is what the operator observed of the endpoint.
type StoreConnectionStatus struct {
	// ObservedGeneration is the generation last reconciled; -1 until the first reconcile.
	// +kubebuilder:default=-1
	// +optional
	ObservedGeneration int64 `json:"observedGeneration"`

	// Conditions: Ready, CredentialsReady, Reachable, and Reconciling or Stalled while true.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// System is what the endpoint reports about itself.
	// +optional
	System *SystemInfo `json:"system,omitempty"`

	// Credentials describes the credentials in use, never their values.
	// +optional
	Credentials *CredentialsStatus `json:"credentials,omitempty"`

	// LastProbe is the last health probe of the endpoint.
	// +optional
	LastProbe *ProbeStatus `json:"lastProbe,omitempty"`
}

// SystemInfo is what the endpoint reports about itself.
type SystemInfo struct {
	// Version of the remote software (WooCommerce, Frappe/ERPNext, Odoo).
	// +optional
	Version string `json:"version,omitempty"`
}

// CredentialsStatus identifies the credentials in use without revealing them.
type CredentialsStatus struct {
	// Fingerprint is a short one-way hash of the credentials, to tell rotations apart.
	// +optional
	Fingerprint string `json:"fingerprint,omitempty"`
	// LastRotationTime is when a different set of credentials was first seen.
	// +optional
	LastRotationTime *metav1.Time `json:"lastRotationTime,omitempty"`
	// LastVerifiedTime is when the endpoint last accepted these credentials.
	// +optional
	LastVerifiedTime *metav1.Time `json:"lastVerifiedTime,omitempty"`
}

// ProbeStatus records one health probe.
type ProbeStatus struct {
	// Time of the probe.
	Time metav1.Time `json:"time"`
	// LatencyMilliseconds is how long the probe took.
	LatencyMilliseconds int64 `json:"latencyMilliseconds"`
}

// Condition types of a StoreConnection besides Ready.
const (
	// ConditionCredentialsReady says the credentials Secret exists with every key the system needs
	// (and, once probed, that the endpoint accepts them).
	ConditionCredentialsReady = "CredentialsReady"
	// ConditionReachable says the last probe of the endpoint succeeded.
	ConditionReachable = "Reachable"
)

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sc,categories=retailsync
// +kubebuilder:printcolumn:name="System",type=string,JSONPath=`.spec.system`
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.system.version`,priority=1
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// StoreConnection is one external system endpoint (a WooCommerce store or an ERP) with its
// credentials and limits, shared by the SyncFlows that use it.
type StoreConnection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec StoreConnectionSpec `json:"spec"`
	// +kubebuilder:default:={"observedGeneration":-1}
	// +optional
	Status StoreConnectionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// StoreConnectionList is a list of StoreConnections.
type StoreConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []StoreConnection `json:"items"`
}

func init() {
	SchemeBuilder.Register(&StoreConnection{}, &StoreConnectionList{})
}

// EffectiveAuthMethod returns the method in use: the one set, or the system's default for the url's scheme.
func (s *StoreConnectionSpec) EffectiveAuthMethod() AuthMethod {
	if s.Auth != nil && s.Auth.Method != "" {
		return s.Auth.Method
	}
	switch s.System {
	case SystemWooCommerce:
		if strings.HasPrefix(s.URL, "https://") {
			return AuthBasic
		}
		return AuthOAuth1
	case SystemERPNext:
		return AuthToken
	default:
		return AuthBearer
	}
}

// RequiredCredentialKeys lists the keys the credentials Secret must hold for this connection.
func (s *StoreConnectionSpec) RequiredCredentialKeys() []string {
	switch s.System {
	case SystemWooCommerce:
		return []string{CredentialConsumerKey, CredentialConsumerSecret}
	case SystemERPNext:
		return []string{CredentialAPIKey, CredentialAPISecret}
	default:
		if s.EffectiveAuthMethod() == AuthJSONRPC {
			return []string{CredentialDatabase, CredentialUsername, CredentialAPIKey}
		}
		return []string{CredentialAPIKey}
	}
}
