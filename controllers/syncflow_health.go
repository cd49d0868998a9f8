package controllers

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

const (
	// fieldOwner is the operator's server-side apply field manager.
	fieldOwner = client.FieldOwner("retailsync-operator")
	// heartbeatTimeout is how old the worker's last report may be before the flow is not Ready; the
	// worker reports every few seconds, so three missed reports are a real problem, not jitter.
	heartbeatTimeout = 60 * time.Second
	// healthRecheck is how often a running flow's health is judged again without any event: lag grows
	// and heartbeats age without anything in the API changing.
	healthRecheck = 20 * time.Second
)

// More reasons a flow is not Ready.
const (
	ReasonWorkerUnavailable  = "WorkerUnavailable"
	ReasonWorkerNotReporting = "WorkerNotReporting"
	ReasonLagAboveSLO        = "LagAboveSLO"
	ReasonFailureRateHigh    = "FailureRateHigh"
	ReasonDeadLettered       = "DeadLettersNeedAttention"
	ReasonSynced             = "Synced"
)

// +kubebuilder:rbac:groups="",resources=serviceaccounts;services;persistentvolumeclaims,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create;update;patch;delete

// reconcileWorker applies the worker's objects (scaled to zero while suspended) and folds the
// Deployment's state into status.worker.
func (r *SyncFlowReconciler) reconcileWorker(ctx context.Context, s *syncFlowScope) error {
	name := workerpod.Name(s.flow.Name)
	key := types.NamespacedName{Namespace: s.flow.Namespace, Name: name}
	dep := &appsv1.Deployment{}
	// The cache may not hold a Deployment just created; it then counts as not ready, and the watch on
	// owned Deployments brings the flow back when it appears.
	if err := r.Get(ctx, key, dep); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("reading worker Deployment %s: %w", name, err)
	}
	objs := workerObjects(s, r.WorkerImage)
	if r.needsApply(key, objs, dep) {
		for _, obj := range objs {
			if err := r.Apply(ctx, obj.apply, fieldOwner, client.ForceOwnership); err != nil {
				return fmt.Errorf("applying worker %s: %w", obj.kind, err)
			}
		}
		r.recordApplied(key, objs)
	}
	w := s.flow.Status.Worker
	if w == nil {
		w = &v1alpha1.WorkerStatus{}
		s.flow.Status.Worker = w
	}
	w.Deployment = name
	w.ReadyReplicas = dep.Status.ReadyReplicas
	return nil
}

// health is the verdict on a flow's data plane.
type health struct {
	state   healthState
	reason  string
	message string
}

type healthState int

const (
	healthy healthState = iota
	suspended
	notReady // the worker is missing, unavailable or silent
	degraded // data flows, outside the SLO
	stalled  // progress needs a person
)

// assessHealth judges a flow from its spec and status alone, so that the same judgement decides
// Ready in reconcile and decides, in a watch predicate, whether a worker report changed anything.
func assessHealth(f *v1alpha1.SyncFlow, now time.Time) health {
	if f.Spec.Suspend {
		return health{suspended, ReasonSuspended, "The flow is suspended (spec.suspend is true)"}
	}
	w := f.Status.Worker
	if w == nil {
		return health{notReady, ReasonWorkerUnavailable, "The worker Deployment does not exist yet"}
	}
	if want := workerReplicas(f); w.ReadyReplicas < want {
		return health{notReady, ReasonWorkerUnavailable, fmt.Sprintf("Deployment %q has %d of %d replicas ready", w.Deployment, w.ReadyReplicas, want)}
	}
	if w.HeartbeatTime == nil {
		return health{notReady, ReasonWorkerNotReporting, fmt.Sprintf("The worker of Deployment %q has not reported yet", w.Deployment)}
	}
	if age := now.Sub(w.HeartbeatTime.Time); age > heartbeatTimeout {
		return health{notReady, ReasonWorkerNotReporting, fmt.Sprintf("The worker of Deployment %q last reported %s ago", w.Deployment, age.Round(time.Second))}
	}
	if msg, stuck := deadLetterStall(f); stuck {
		return health{stalled, ReasonDeadLettered, msg}
	}
	if reason, msg, breached := sloBreach(f); breached {
		return health{degraded, reason, msg}
	}
	return health{healthy, ReasonSynced, healthySummary(f)}
}

// reconcileSuspension runs first, so that suspending stops a flow even while a later step cannot
// proceed (a reference missing or not Ready, an invalid MappingSet): the worker Deployment, when
// there is one, is scaled to zero at once, and Suspended follows the spec. Degraded is cleared here
// and set again by reconcileHealth only when it runs and finds the flow outside its SLO, so a flow
// blocked before health is judged never keeps a stale Degraded.
func (r *SyncFlowReconciler) reconcileSuspension(ctx context.Context, s *syncFlowScope) error {
	s.conds.remove(v1alpha1.ConditionDegraded)
	if !s.flow.Spec.Suspend {
		s.conds.remove(v1alpha1.ConditionSuspended)
		return nil
	}
	s.conds.True(v1alpha1.ConditionSuspended, ReasonSuspended, "spec.suspend is true: the worker is scaled to zero and no changes are synced")
	dep := &appsv1.Deployment{}
	key := types.NamespacedName{Namespace: s.flow.Namespace, Name: workerpod.Name(s.flow.Name)}
	if err := r.Get(ctx, key, dep); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("reading worker Deployment %s: %w", key.Name, err)
	}
	if dep.Spec.Replicas != nil && *dep.Spec.Replicas == 0 {
		return nil
	}
	// A merge patch of the one field: the worker's full objects need the references resolved, which
	// is what may be missing now. reconcileWorker's next apply takes the field back.
	patch := client.MergeFrom(dep.DeepCopy())
	dep.Spec.Replicas = ptr.To[int32](0)
	if err := r.Patch(ctx, dep, patch, fieldOwner); err != nil {
		return fmt.Errorf("scaling worker Deployment %s to zero: %w", key.Name, err)
	}
	return nil
}

// reconcileHealth sets Ready, Degraded and Stalled from assessHealth.
func (r *SyncFlowReconciler) reconcileHealth(_ context.Context, s *syncFlowScope) error {
	h := assessHealth(s.flow, r.now())
	if h.state != suspended {
		// Lag grows and heartbeats age without anything in the API changing: look again soon.
		s.requeue(healthRecheck)
	}
	if h.state == degraded {
		s.conds.True(v1alpha1.ConditionDegraded, h.reason, h.message)
	}
	switch h.state {
	case healthy:
		s.conds.ready(h.reason, h.message)
	case stalled:
		s.blocked = true
		s.conds.stalled(h.reason, h.message)
	default:
		s.block(h.reason, h.message)
	}
	return nil
}

// workerReportChanged lets a SyncFlow status update through to reconcile only when it changes the
// health verdict, or the webhook secret the worker holds (a rotation waits for it). The worker
// reports every few seconds; reconciling on each report would re-apply every worker object for
// nothing, while ignoring reports would leave Ready stale until the recheck.
func workerReportChanged(now func() time.Time) predicate.Funcs {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldFlow, ok1 := e.ObjectOld.(*v1alpha1.SyncFlow)
			newFlow, ok2 := e.ObjectNew.(*v1alpha1.SyncFlow)
			if !ok1 || !ok2 {
				return false
			}
			t := now()
			a, b := assessHealth(oldFlow, t), assessHealth(newFlow, t)
			return a.state != b.state || a.reason != b.reason ||
				!webhookSecretTime(oldFlow).Equal(webhookSecretTime(newFlow))
		},
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// deadLetterStall reports a flow that cannot progress without a person: dead letters wait and the
// queue is otherwise empty, so nothing more will happen until someone fixes the cause (an unmapped
// SKU, a rejected credential) and replays them. Dead letters count in lag, so such a flow would
// otherwise show as merely late; Stalled says what it needs.
func deadLetterStall(f *v1alpha1.SyncFlow) (string, bool) {
	st := f.Status
	if st.DeadLetters == nil || *st.DeadLetters == 0 || len(st.DeadLetterSummary) == 0 || deref(st.Backlog) > 0 {
		return "", false
	}
	top := st.DeadLetterSummary[0]
	msg := fmt.Sprintf("%d change(s) wait in the dead letters and nothing else is queued; most are %s (%d)", *st.DeadLetters, top.Reason, top.Count)
	if st.LastFailure != nil && st.LastFailure.Message != "" {
		msg += "; last: " + st.LastFailure.Message
	}
	return msg + ". Fix the cause, then set the " + v1alpha1.AnnotationReplayAt + " annotation to replay them", true
}

// sloBreach reports lag above the SLO or a failure rate above the budget.
func sloBreach(f *v1alpha1.SyncFlow) (reason, message string, breached bool) {
	st := f.Status
	maxLag := durationOr(f.Spec.SLO.MaxLag, 5*time.Minute)
	if st.LagSeconds != nil {
		if lag := time.Duration(*st.LagSeconds) * time.Second; lag > maxLag {
			return ReasonLagAboveSLO, fmt.Sprintf("Lag %s exceeds the SLO of %s (backlog %d)", lag, maxLag, deref(st.Backlog)), true
		}
	}
	budget := f.Spec.SLO.MaxFailurePercent
	if budget == 0 {
		budget = 20
	}
	if st.FailurePercent != nil && *st.FailurePercent > budget {
		msg := fmt.Sprintf("%d%% of recent attempts failed, above the budget of %d%%", *st.FailurePercent, budget)
		if st.LastFailure != nil {
			msg += "; last: " + st.LastFailure.Reason + ": " + st.LastFailure.Message
		}
		return ReasonFailureRateHigh, msg, true
	}
	return "", "", false
}

func healthySummary(f *v1alpha1.SyncFlow) string {
	st := f.Status
	return fmt.Sprintf("Syncing: lag %ds, backlog %d, %d dead letter(s)", deref(st.LagSeconds), deref(st.Backlog), deref(st.DeadLetters))
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func (r *SyncFlowReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// webhookSecretTime is the rotation time of the webhook secret the flow's worker reports holding.
func webhookSecretTime(f *v1alpha1.SyncFlow) time.Time {
	if w := f.Status.Worker; w != nil && w.WebhookSecretTime != nil {
		return w.WebhookSecretTime.Time
	}
	return time.Time{}
}
