// Package workerpod is the contract between the operator, which creates one worker Deployment per
// SyncFlow, and the processes that run it: the `worker` subcommand in a real pod, and the local
// runtime that starts workers in-process where no kubelet runs (envtest, the demo). Names, labels,
// ports, paths and arguments are defined once here.
package workerpod

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Labels on every object the operator creates for a flow's worker.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelComponent = "app.kubernetes.io/component"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// LabelSyncFlow names the SyncFlow a worker object belongs to.
	LabelSyncFlow = "retailsync.io/syncflow"

	AppName        = "retailsync"
	ComponentValue = "worker"
	ManagedByValue = "retailsync-operator"
)

// Ports the worker serves.
const (
	// WebhookPort receives WooCommerce webhook deliveries (store-sourced flows).
	WebhookPort int32 = 8080
	// HealthPort serves /healthz and /readyz.
	HealthPort int32 = 8081
	// MetricsPort serves /metrics and the dead-letter API.
	MetricsPort int32 = 9090

	WebhookPortName = "webhooks"
	MetricsPortName = "metrics"
	HealthPortName  = "health"
)

// Paths inside the worker container.
const (
	// DataDir is where the embedded store's file lives, on the flow's PersistentVolume.
	DataDir = "/var/lib/retailsync"
	// TmpDir is writable scratch space; the root filesystem is read-only.
	TmpDir = "/tmp"
)

// Command-line flags of `retailsync worker`.
const (
	FlagNamespace   = "--namespace"
	FlagSyncFlow    = "--syncflow"
	FlagDataDir     = "--data-dir"
	FlagWebhookAddr = "--webhook-bind-address"
	FlagHealthAddr  = "--health-probe-bind-address"
	FlagMetricsAddr = "--metrics-bind-address"
)

// Env names the worker reads.
const (
	// EnvPostgresDSN carries the PostgreSQL connection string from the flow's Secret, when the flow
	// uses the PostgreSQL store.
	EnvPostgresDSN = "RETAILSYNC_POSTGRES_DSN"
	// EnvPodName identifies the replica, for leader election and logs.
	EnvPodName = "POD_NAME"
)

// FieldManager is the server-side apply field manager the worker reports status with.
const FieldManager = "retailsync-worker"

// Name returns the name of every per-flow worker object (ServiceAccount, Role, RoleBinding,
// Deployment, Service, PersistentVolumeClaim). It is a DNS-1035 label, as Service names must be:
// a flow name that would not fit is shortened with a hash so that two flows never share a name.
func Name(flowName string) string {
	const suffix = "-worker"
	name := flowName + suffix
	if len(name) <= 63 && !strings.Contains(flowName, ".") && flowName[0] >= 'a' && flowName[0] <= 'z' {
		return name
	}
	sum := sha256.Sum256([]byte(flowName))
	short := strings.ReplaceAll(flowName, ".", "-")
	if len(short) > 40 {
		short = short[:40]
	}
	short = strings.Trim(short, "-")
	if short == "" || short[0] < 'a' || short[0] > 'z' {
		short = "sf" + short
	}
	return short + "-" + hex.EncodeToString(sum[:])[:8] + suffix
}

// Labels returns the labels of a flow's worker objects; Selector is the subset that selects its pods.
func Labels(flowName string) map[string]string {
	l := Selector(flowName)
	l[LabelManagedBy] = ManagedByValue
	return l
}

// Selector selects one flow's worker pods.
func Selector(flowName string) map[string]string {
	return map[string]string{
		LabelName:      AppName,
		LabelComponent: ComponentValue,
		LabelInstance:  Name(flowName),
		LabelSyncFlow:  flowLabelValue(flowName),
	}
}

// flowLabelValue is the flow's name as a label value, which holds at most 63 characters while a
// SyncFlow's name may have 253: a longer name is shortened with a hash, as Name does. Whoever needs
// the flow's name reads it from the worker's arguments (FlagSyncFlow), not from this label.
func flowLabelValue(flowName string) string {
	if len(flowName) <= 63 {
		return flowName
	}
	sum := sha256.Sum256([]byte(flowName))
	return strings.TrimRight(flowName[:54], "-._") + "-" + hex.EncodeToString(sum[:])[:8]
}

// Arg returns the last value of a flag in a worker's arguments, as pflag reads repeated flags.
func Arg(args []string, flag string) string {
	v := ""
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			v = args[i+1]
		}
	}
	return v
}

// Args returns the worker container's arguments.
func Args(namespace, flowName string) []string {
	return []string{
		"worker",
		FlagNamespace, namespace,
		FlagSyncFlow, flowName,
		FlagDataDir, DataDir,
	}
}

// WebhookPath is where a flow's webhook receiver is reached below a connection's webhooks.publicURL:
// one public endpoint (an Ingress, or the local runtime's front door) serves every flow.
func WebhookPath(namespace, flowName string) string {
	return "/" + namespace + "/" + flowName + "/woocommerce"
}

// WebhookSecretName is the Secret that holds a flow's webhook secrets. The operator generates and
// rotates it; the worker's receiver reads it on every change, so a rotation needs no restart.
func WebhookSecretName(flowName string) string { return Name(flowName) + "-webhook" }

// Keys of the webhook Secret.
const (
	// WebhookSecretCurrent is the secret the store signs deliveries with.
	WebhookSecretCurrent = "current"
	// WebhookSecretPrevious is the secret before the last rotation, still accepted during the grace
	// period; empty when there is none.
	WebhookSecretPrevious = "previous"
	// WebhookSecretRotatedAt is when current was generated, RFC 3339 (WebhookSecretRotation).
	WebhookSecretRotatedAt = "rotatedAt"
)

// FormatWebhookSecretRotation is the WebhookSecretRotatedAt value for t, in whole UTC seconds.
func FormatWebhookSecretRotation(t time.Time) []byte { return []byte(t.UTC().Format(time.RFC3339)) }

// WebhookSecretRotation reads WebhookSecretRotatedAt from a webhook Secret's data: zero when it is
// missing or does not parse (a Secret edited by hand), which the operator answers with a rotation.
func WebhookSecretRotation(data map[string][]byte) time.Time {
	t, err := time.Parse(time.RFC3339, string(data[WebhookSecretRotatedAt]))
	if err != nil {
		return time.Time{}
	}
	return t
}

// More flags of `retailsync worker`, used where no pod runs (the local runtime).
const (
	// FlagKubeconfig points the worker at a kubeconfig instead of its in-cluster ServiceAccount.
	FlagKubeconfig = "--kubeconfig"
)
