package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FlowKind is one of the five synchronized workflows.
// +kubebuilder:validation:Enum=Catalog;Inventory;Orders;Fulfillment;Finance
type FlowKind string

const (
	// FlowCatalog moves products, variations and prices from the ERP to the store.
	FlowCatalog FlowKind = "Catalog"
	// FlowInventory moves available-to-sell stock per location from the ERP to the store.
	FlowInventory FlowKind = "Inventory"
	// FlowOrders moves orders from the store into the ERP, exactly once each.
	FlowOrders FlowKind = "Orders"
	// FlowFulfillment moves shipments, tracking and order status from the ERP back to the store.
	FlowFulfillment FlowKind = "Fulfillment"
	// FlowFinance posts invoices, payments, refunds and settlements and reconciles them.
	FlowFinance FlowKind = "Finance"
)

// SourceIsStore reports whether the flow reads from the store (WooCommerce) and writes to the ERP.
func (f FlowKind) SourceIsStore() bool { return f == FlowOrders || f == FlowFinance }

// ApprovalMode says whether risky change sets wait for a person.
// +kubebuilder:validation:Enum=Automatic;Manual
type ApprovalMode string

const (
	ApprovalAutomatic ApprovalMode = "Automatic"
	ApprovalManual    ApprovalMode = "Manual"
)

// StoreType is where a worker keeps its queue, dead letters, cursors and audit trail.
// +kubebuilder:validation:Enum=Embedded;PostgreSQL
type StoreType string

const (
	// StoreEmbedded is one SQLite file on the worker's PersistentVolume: nothing else to run, one replica.
	StoreEmbedded StoreType = "Embedded"
	// StorePostgreSQL is an existing PostgreSQL database, needed for more than one worker replica.
	StorePostgreSQL StoreType = "PostgreSQL"
)

// Annotations that request one-off actions. The value is an opaque token (a timestamp, say); the
// worker records the last token it handled in status, so re-applying the same value does nothing.
const (
	// AnnotationReplayAt re-drives dead letters.
	AnnotationReplayAt = "retailsync.io/replay-at"
	// AnnotationReplayFilter narrows a replay: "reason=Unmapped" or "correlationIDs=id1,id2".
	AnnotationReplayFilter = "retailsync.io/replay-filter"
	// AnnotationResyncAt asks for a full resync from the source.
	AnnotationResyncAt = "retailsync.io/resync-at"
	// AnnotationApprove approves a pending change set by id.
	AnnotationApprove = "retailsync.io/approve"
)

// SyncFlowSpec declares one synchronized workflow between two StoreConnections.
// +kubebuilder:validation:XValidation:rule="self.sourceRef.name != self.targetRef.name",message="sourceRef and targetRef must name different StoreConnections"
// +kubebuilder:validation:XValidation:rule="!has(self.worker) || !has(self.worker.replicas) || self.worker.replicas <= 1 || (has(self.worker.store) && self.worker.store.type == 'PostgreSQL')",message="more than one worker replica needs worker.store.type PostgreSQL: the embedded store is a single file"
// +kubebuilder:validation:XValidation:rule="!has(self.trigger) || !has(self.trigger.webhook) || !self.trigger.webhook || self.flow in ['Orders', 'Finance']",message="webhook triggers exist only for store-sourced flows (Orders, Finance)"
type SyncFlowSpec struct {
	// Flow is the workflow this SyncFlow runs. It cannot be changed after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="flow is immutable"
	// +required
	Flow FlowKind `json:"flow"`

	// SourceRef names the StoreConnection data is read from: the store for Orders and Finance, the
	// ERP for Catalog, Inventory and Fulfillment.
	// +required
	SourceRef LocalObjectReference `json:"sourceRef"`

	// TargetRef names the StoreConnection data is written to.
	// +required
	TargetRef LocalObjectReference `json:"targetRef"`

	// MappingSetRef names the MappingSet that translates between the two systems.
	// +required
	MappingSetRef LocalObjectReference `json:"mappingSetRef"`

	// Trigger says when the worker looks for changes.
	// +kubebuilder:default={pollInterval: "5m"}
	// +optional
	Trigger Trigger `json:"trigger,omitempty"`

	// Retry is the policy for transient failures. Permanent failures are dead-lettered at once.
	// +kubebuilder:default={maxAttempts: 10, initialBackoff: "2s", maxBackoff: "15m"}
	// +optional
	Retry RetryPolicy `json:"retry,omitempty"`

	// CircuitBreaker pauses work while the target is down, without spending attempts.
	// +kubebuilder:default={failureThreshold: 5, cooldown: "30s"}
	// +optional
	CircuitBreaker CircuitBreaker `json:"circuitBreaker,omitempty"`

	// DeadLetter configures how long dead letters are kept for replay.
	// +kubebuilder:default={retention: "720h"}
	// +optional
	DeadLetter DeadLetterPolicy `json:"deadLetter,omitempty"`

	// Approval gates large or risky change sets.
	// +kubebuilder:default={mode: Automatic}
	// +optional
	Approval Approval `json:"approval,omitempty"`

	// SLO is the service level the flow is held to; beyond it the flow is Degraded.
	// +kubebuilder:default={maxLag: "5m"}
	// +optional
	SLO SLO `json:"slo,omitempty"`

	// Suspend stops the worker (scaled to zero) until set back to false. Nothing is lost: the poll
	// cursor resumes where it stopped.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// Worker shapes the worker Deployment.
	// +optional
	Worker WorkerSpec `json:"worker,omitempty"`
}

// Trigger says when a worker looks for changes.
type Trigger struct {
	// Webhook registers store webhooks as a fast path. Webhooks are hints: the poll still runs as a
	// backstop, because WooCommerce deliveries can be late, duplicated, coalesced or lost.
	// +optional
	Webhook bool `json:"webhook,omitempty"`

	// PollInterval is how often the source is polled for changes since the stored cursor.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="5m"
	// +optional
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`

	// Schedule runs a full pass on a cron schedule (five fields, e.g. "0 3 * * *"), for batch flows.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$`
	// +optional
	Schedule string `json:"schedule,omitempty"`

	// Window restricts when changes are published to the target (e.g. price changes overnight only).
	// +optional
	Window *PublishingWindow `json:"window,omitempty"`
}

// PublishingWindow is a daily time window.
// +kubebuilder:validation:XValidation:rule="self.start != self.end",message="window start and end must differ"
type PublishingWindow struct {
	// Start is the local time the window opens, HH:MM.
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	// +required
	Start string `json:"start"`
	// End is the local time the window closes, HH:MM; before Start means the window spans midnight.
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	// +required
	End string `json:"end"`
	// TimeZone is an IANA zone name such as Europe/Berlin.
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:default="UTC"
	// +optional
	TimeZone string `json:"timeZone,omitempty"`
}

// RetryPolicy is exponential backoff with jitter between attempts.
// +kubebuilder:validation:XValidation:rule="!has(self.initialBackoff) || !has(self.maxBackoff) || duration(self.maxBackoff) >= duration(self.initialBackoff)",message="maxBackoff must not be shorter than initialBackoff"
type RetryPolicy struct {
	// MaxAttempts is how many times a job is tried before it is dead-lettered.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=10
	// +optional
	MaxAttempts int32 `json:"maxAttempts,omitempty"`

	// InitialBackoff is the wait before the second attempt; it doubles per attempt.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="2s"
	// +optional
	InitialBackoff *metav1.Duration `json:"initialBackoff,omitempty"`

	// MaxBackoff caps the wait between attempts. A Retry-After from the remote is honoured even if longer.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="15m"
	// +optional
	MaxBackoff *metav1.Duration `json:"maxBackoff,omitempty"`
}

// CircuitBreaker opens after consecutive transient failures of the target.
type CircuitBreaker struct {
	// FailureThreshold is how many consecutive transient failures open the breaker.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=5
	// +optional
	FailureThreshold int32 `json:"failureThreshold,omitempty"`

	// Cooldown is how long the breaker stays open before one trial request.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="30s"
	// +optional
	Cooldown *metav1.Duration `json:"cooldown,omitempty"`
}

// DeadLetterPolicy configures dead letters.
type DeadLetterPolicy struct {
	// Retention is how long a dead letter is kept for replay.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="720h"
	// +optional
	Retention *metav1.Duration `json:"retention,omitempty"`
}

// Approval gates change sets that a person should look at before they reach the target.
// +kubebuilder:validation:XValidation:rule="self.mode == 'Manual' || (!has(self.maxPriceChangePercent) && !has(self.maxRefundAmount) && !has(self.maxStockChange))",message="approval thresholds apply only with mode Manual"
type Approval struct {
	// Mode Automatic applies every change; Manual holds change sets beyond the thresholds (or every
	// change set when no threshold is set) until approved with the retailsync.io/approve annotation.
	// +kubebuilder:default=Automatic
	// +optional
	Mode ApprovalMode `json:"mode,omitempty"`

	// MaxPriceChangePercent holds a catalog change set in which any price moves by more than this.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	// +optional
	MaxPriceChangePercent *int32 `json:"maxPriceChangePercent,omitempty"`

	// MaxRefundAmount holds a refund above this amount, in the store currency (a decimal string).
	// +kubebuilder:validation:Pattern=`^[0-9]{1,12}(\.[0-9]{1,4})?$`
	// +optional
	MaxRefundAmount *string `json:"maxRefundAmount,omitempty"`

	// MaxStockChange holds an inventory change set that moves one SKU's stock by more than this many units.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MaxStockChange *int32 `json:"maxStockChange,omitempty"`
}

// SLO is the service level of a flow.
type SLO struct {
	// MaxLag is the oldest a not-yet-synced source change may be before the flow is Degraded.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:default="5m"
	// +optional
	MaxLag *metav1.Duration `json:"maxLag,omitempty"`

	// MaxFailurePercent is the share of failed attempts, over the worker's last minute, above which
	// the flow is Degraded.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=20
	// +optional
	MaxFailurePercent int32 `json:"maxFailurePercent,omitempty"`
}

// WorkerSpec shapes the worker Deployment.
type WorkerSpec struct {
	// Replicas of the worker. More than one needs the PostgreSQL store.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=16
	// +kubebuilder:default=1
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources of the worker container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Storage is the PersistentVolumeClaim of the embedded store.
	// +optional
	Storage *WorkerStorage `json:"storage,omitempty"`

	// Store is where the worker keeps its queue and records.
	// +optional
	Store *WorkerStore `json:"store,omitempty"`
}

// WorkerStorage sizes the embedded store's volume.
type WorkerStorage struct {
	// Size of the volume.
	// +kubebuilder:default="1Gi"
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`
	// StorageClassName of the claim; the cluster default when unset.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// WorkerStore selects the worker's durable store.
// +kubebuilder:validation:XValidation:rule="self.type == 'PostgreSQL' ? has(self.postgreSQL) : !has(self.postgreSQL)",message="postgreSQL must be set exactly when type is PostgreSQL"
type WorkerStore struct {
	// Type of store.
	// +kubebuilder:default=Embedded
	// +required
	Type StoreType `json:"type"`
	// PostgreSQL names the Secret key that holds the connection string (postgres://...).
	// +optional
	PostgreSQL *PostgreSQLStore `json:"postgreSQL,omitempty"`
}

// PostgreSQLStore points at a PostgreSQL database.
type PostgreSQLStore struct {
	// DSNSecretRef names the Secret key holding the connection string.
	// +required
	DSNSecretRef SecretKeyReference `json:"dsnSecretRef"`
}

// SyncFlowStatus is what the operator and the flow's worker observed.
type SyncFlowStatus struct {
	// ObservedGeneration is the generation last reconciled; -1 until the first reconcile.
	// +kubebuilder:default=-1
	// +optional
	ObservedGeneration int64 `json:"observedGeneration"`

	// Conditions: Ready, Degraded, Suspended, and Reconciling or Stalled while true.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Worker is the state of the worker Deployment and its last heartbeat.
	// +optional
	Worker *WorkerStatus `json:"worker,omitempty"`

	// Lag is the age of the oldest source change not yet written to the target, for people ("3s").
	// +optional
	Lag string `json:"lag,omitempty"`
	// LagSeconds is Lag in whole seconds, for alerts and health checks; 0 when caught up.
	// +optional
	LagSeconds *int64 `json:"lagSeconds,omitempty"`
	// Backlog is how many changes wait to be written.
	// +optional
	Backlog *int64 `json:"backlog,omitempty"`
	// DeadLetters is how many dead letters wait for replay.
	// +optional
	DeadLetters *int64 `json:"deadLetters,omitempty"`
	// LastSyncTime is when the worker last looked for changes.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`
	// LastSuccessTime is when a change was last written to the target.
	// +optional
	LastSuccessTime *metav1.Time `json:"lastSuccessTime,omitempty"`
	// Counters since the worker's store was created.
	// +optional
	Counters *FlowCounters `json:"counters,omitempty"`
	// DeadLetterSummary groups dead letters by reason, most numerous first.
	// +kubebuilder:validation:MaxItems=20
	// +listType=atomic
	// +optional
	DeadLetterSummary []DeadLetterReasonSummary `json:"deadLetterSummary,omitempty"`
	// FailurePercent is the share of attempts that failed over the worker's recent window (one minute).
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	FailurePercent *int32 `json:"failurePercent,omitempty"`
	// LastFailure is the most recent failed attempt.
	// +optional
	LastFailure *FailureRecord `json:"lastFailure,omitempty"`
	// LastHandledReplayAt is the last retailsync.io/replay-at token handled.
	// +optional
	LastHandledReplayAt string `json:"lastHandledReplayAt,omitempty"`
	// LastHandledResyncAt is the last retailsync.io/resync-at token handled.
	// +optional
	LastHandledResyncAt string `json:"lastHandledResyncAt,omitempty"`
	// PendingApprovals are change sets waiting for retailsync.io/approve.
	// +kubebuilder:validation:MaxItems=20
	// +listType=atomic
	// +optional
	PendingApprovals []PendingApproval `json:"pendingApprovals,omitempty"`
	// Webhooks is what the operator registered in WooCommerce for a webhook-triggered flow.
	// +optional
	Webhooks *WebhooksStatus `json:"webhooks,omitempty"`
}

// WebhooksStatus records a flow's webhooks in the store, so that they can be found and deleted
// even after the connection's publicURL changed, and named when they cannot be.
type WebhooksStatus struct {
	// DeliveryURL is where the flow's webhooks deliver.
	// +optional
	DeliveryURL string `json:"deliveryURL,omitempty"`
	// Registered are the webhooks by topic, as last seen in the store.
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	// +optional
	Registered []RegisteredWebhook `json:"registered,omitempty"`
	// SecretRotationTime is when the webhook secret the store signs with was generated.
	// +optional
	SecretRotationTime *metav1.Time `json:"secretRotationTime,omitempty"`
}

// RegisteredWebhook is one webhook in the store.
type RegisteredWebhook struct {
	// Topic such as order.created.
	Topic string `json:"topic"`
	// ID of the webhook in the store.
	ID int64 `json:"id"`
	// Status in the store: active, paused or disabled.
	// +optional
	Status string `json:"status,omitempty"`
}

// WorkerStatus is the state of a flow's worker.
type WorkerStatus struct {
	// Deployment is the name of the worker Deployment.
	// +optional
	Deployment string `json:"deployment,omitempty"`
	// ReadyReplicas of the Deployment.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
	// HeartbeatTime is when the worker last reported.
	// +optional
	HeartbeatTime *metav1.Time `json:"heartbeatTime,omitempty"`
	// WebhookSecretTime is the rotation time of the webhook secret the worker verifies deliveries
	// with, from the flow's webhook Secret as the worker last read it. The operator gives the store a
	// new secret only once the worker holds it, so no delivery is signed with a secret the worker
	// cannot check.
	// +optional
	WebhookSecretTime *metav1.Time `json:"webhookSecretTime,omitempty"`
}

// FlowCounters count jobs by outcome.
type FlowCounters struct {
	Processed    int64 `json:"processed"`
	Failed       int64 `json:"failed"`
	Retried      int64 `json:"retried"`
	DeadLettered int64 `json:"deadLettered"`
}

// DeadLetterReasonSummary is one line of the dead-letter summary.
type DeadLetterReasonSummary struct {
	Reason     string      `json:"reason"`
	Count      int64       `json:"count"`
	OldestTime metav1.Time `json:"oldestTime"`
}

// FailureRecord describes one failed attempt. Message never holds a credential.
type FailureRecord struct {
	Time          metav1.Time `json:"time"`
	Reason        string      `json:"reason"`
	Message       string      `json:"message"`
	CorrelationID string      `json:"correlationID,omitempty"`
}

// PendingApproval is a change set held for a person.
type PendingApproval struct {
	// ID to put in the retailsync.io/approve annotation.
	ID string `json:"id"`
	// Summary of the change set ("42 price changes, largest +35% on HD-0001").
	Summary     string      `json:"summary"`
	CreatedTime metav1.Time `json:"createdTime"`
}

// Condition types of a SyncFlow besides Ready.
const (
	// ConditionDegraded: data flows but outside the SLO (lag or failure rate).
	ConditionDegraded = "Degraded"
	// ConditionSuspended: spec.suspend is true.
	ConditionSuspended = "Suspended"
	// ConditionWebhooksReady: for a webhook-triggered flow, every webhook it needs is registered in
	// the store, active and signing with the current secret. It does not affect Ready: the poll is
	// the backstop that keeps data flowing without webhooks.
	ConditionWebhooksReady = "WebhooksReady"
)

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sf,categories=retailsync
// +kubebuilder:printcolumn:name="Flow",type=string,JSONPath=`.spec.flow`
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.sourceRef.name`
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.spec.targetRef.name`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Lag",type=string,JSONPath=`.status.lag`
// +kubebuilder:printcolumn:name="Backlog",type=integer,JSONPath=`.status.backlog`
// +kubebuilder:printcolumn:name="DLQ",type=integer,JSONPath=`.status.deadLetters`
// +kubebuilder:printcolumn:name="Last Sync",type=date,JSONPath=`.status.lastSyncTime`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1

// SyncFlow is one synchronized workflow between two StoreConnections, run by its own worker.
type SyncFlow struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec SyncFlowSpec `json:"spec"`
	// +kubebuilder:default:={"observedGeneration":-1}
	// +optional
	Status SyncFlowStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// SyncFlowList is a list of SyncFlows.
type SyncFlowList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SyncFlow `json:"items"`
}

func init() {
	SchemeBuilder.Register(&SyncFlow{}, &SyncFlowList{})
}
