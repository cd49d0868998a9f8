package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/failure"
)

// Prober checks that an endpoint answers and accepts the credentials, and reports its version.
// Errors are classified by internal/failure: Unauthorized or Forbidden means the credentials were
// rejected; anything else means the endpoint could not be reached.
type Prober interface {
	Probe(ctx context.Context, spec v1alpha1.StoreConnectionSpec, creds credentials.Set) (version string, err error)
}

// StoreConnectionReconciler resolves a connection's credentials, probes its endpoint and reports both.
type StoreConnectionReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	// Probers by system; a system without one is reported as not probed, never as reachable.
	Probers map[v1alpha1.System]Prober
	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// storeConnectionScope carries what one reconcile has read, so sub-steps take one argument.
type storeConnectionScope struct {
	conn  *v1alpha1.StoreConnection
	conds conditionSetter
	creds credentials.Set
	// stillRejected: the endpoint rejected these same credentials at the last probe, so a rejection
	// now is no news worth an Event.
	stillRejected bool
	// requeueAfter is the shortest requeue any sub-step asked for.
	requeueAfter time.Duration
}

func (s *storeConnectionScope) requeue(d time.Duration) {
	if d > 0 && (s.requeueAfter == 0 || d < s.requeueAfter) {
		s.requeueAfter = d
	}
}

// +kubebuilder:rbac:groups=retailsync.io,resources=storeconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=retailsync.io,resources=storeconnections/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile resolves credentials, then probes the endpoint, then summarizes Ready.
func (r *StoreConnectionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	conn := &v1alpha1.StoreConnection{}
	if err := r.Get(ctx, req.NamespacedName, conn); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	scope := &storeConnectionScope{conn: conn, conds: conditionsOf(&conn.Status.Conditions, conn.Generation)}
	patch := newStatusPatch(conn)
	defer func() {
		r.summarize(scope, retErr)
		if err := patch.Patch(ctx, r.Client, conn); err != nil {
			retErr = errors.Join(retErr, err)
		}
		if retErr == nil {
			result = ctrl.Result{RequeueAfter: scope.requeueAfter}
		}
	}()

	for _, step := range []func(context.Context, *storeConnectionScope) error{
		r.reconcileCredentials,
		r.reconcileProbe,
	} {
		if err := step(ctx, scope); err != nil {
			return ctrl.Result{}, err
		}
		if scope.creds == nil {
			return ctrl.Result{}, nil // no credentials: nothing further can be checked
		}
	}
	return ctrl.Result{}, nil
}

// reconcileCredentials reads the credentials Secret and checks it holds every key the system needs.
// A missing Secret or key is not an error to retry: the Secret watch brings the connection back as
// soon as the Secret appears or changes.
func (r *StoreConnectionReconciler) reconcileCredentials(ctx context.Context, s *storeConnectionScope) error {
	conn := s.conn
	secret := &corev1.Secret{}
	key := types.NamespacedName{Namespace: conn.Namespace, Name: conn.Spec.CredentialsSecretRef.Name}
	if err := r.Get(ctx, key, secret); err != nil {
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("reading credentials Secret %s: %w", key.Name, err)
		}
		msg := fmt.Sprintf("Secret %q named by spec.credentialsSecretRef was not found", key.Name)
		s.conds.False(v1alpha1.ConditionCredentialsReady, ReasonSecretNotFound, msg)
		return nil
	}
	creds, err := credentials.FromSecret(secret, conn.Spec.RequiredCredentialKeys())
	if err != nil {
		s.conds.False(v1alpha1.ConditionCredentialsReady, ReasonSecretKeyMissing, err.Error())
		return nil
	}
	s.creds = creds
	was := s.conds.get(v1alpha1.ConditionCredentialsReady)
	rejected := was != nil && was.Reason == ReasonCredentialsRejected
	s.stillRejected = !r.recordFingerprint(ctx, s, creds.Fingerprint()) && rejected
	s.conds.True(v1alpha1.ConditionCredentialsReady, ReasonCredentialsResolved,
		fmt.Sprintf("Secret %q holds every key %s needs", key.Name, conn.Spec.System))
	return nil
}

// recordFingerprint notes a rotation when the fingerprint changes, with an Event, and reports whether
// it changed.
func (r *StoreConnectionReconciler) recordFingerprint(ctx context.Context, s *storeConnectionScope, fingerprint string) bool {
	status := &s.conn.Status
	if status.Credentials == nil {
		status.Credentials = &v1alpha1.CredentialsStatus{}
	}
	previous := status.Credentials.Fingerprint
	if previous == fingerprint {
		return false
	}
	now := metav1.NewTime(r.now())
	status.Credentials.Fingerprint = fingerprint
	status.Credentials.LastRotationTime = &now
	status.Credentials.LastVerifiedTime = nil
	if previous != "" {
		log.FromContext(ctx).Info("Rotated credentials", "from", previous, "to", fingerprint)
		r.Recorder.Eventf(s.conn, nil, corev1.EventTypeNormal, "CredentialsRotated", "Rotate",
			"Credentials from Secret %q changed (fingerprint %s -> %s)", s.conn.Spec.CredentialsSecretRef.Name, previous, fingerprint)
	}
	return true
}

// reconcileProbe calls the endpoint with the current credentials on the health-check interval.
func (r *StoreConnectionReconciler) reconcileProbe(ctx context.Context, s *storeConnectionScope) error {
	conn := s.conn
	prober := r.Probers[conn.Spec.System]
	if prober == nil {
		s.conds.Unknown(v1alpha1.ConditionReachable, ReasonNotProbed,
			fmt.Sprintf("This operator has no prober for %s", conn.Spec.System))
		return nil
	}
	interval := durationOr(conn.Spec.HealthCheckInterval, 5*time.Minute)
	s.requeue(interval)

	timeout := durationOr(conn.Spec.Timeout, 30*time.Second)
	probeCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := r.now()
	version, err := prober.Probe(probeCtx, conn.Spec, s.creds)
	latency := r.now().Sub(start)
	conn.Status.LastProbe = &v1alpha1.ProbeStatus{Time: metav1.NewTime(start), LatencyMilliseconds: latency.Milliseconds()}

	wasReachable := s.conds.get(v1alpha1.ConditionReachable)
	if err != nil {
		reason := failure.ReasonOf(err)
		if reason == failure.ReasonUnauthorized || reason == failure.ReasonForbidden {
			// Events on transitions only, as for Unreachable below.
			if !s.stillRejected {
				r.Recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonCredentialsRejected, "Probe",
					"%s rejected the credentials from Secret %q", conn.Spec.System, conn.Spec.CredentialsSecretRef.Name)
			}
			s.conds.True(v1alpha1.ConditionReachable, ReasonProbeSucceeded, fmt.Sprintf("%s answered", conn.Spec.URL))
			s.conds.False(v1alpha1.ConditionCredentialsReady, ReasonCredentialsRejected,
				fmt.Sprintf("%s rejected the credentials from Secret %q: %s", conn.Spec.System, conn.Spec.CredentialsSecretRef.Name, err))
			return nil
		}
		s.conds.False(v1alpha1.ConditionReachable, ReasonUnreachable, fmt.Sprintf("Probe of %s failed: %s", conn.Spec.URL, err))
		if wasReachable == nil || wasReachable.Status != metav1.ConditionFalse {
			r.Recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonUnreachable, "Probe", "Probe of %s failed: %s", conn.Spec.URL, err)
		}
		// Retry sooner than the interval while down, but not in a hot loop.
		s.requeue(min(interval, 30*time.Second))
		return nil
	}
	now := metav1.NewTime(r.now())
	conn.Status.Credentials.LastVerifiedTime = &now
	if version != "" {
		conn.Status.System = &v1alpha1.SystemInfo{Version: version}
	}
	if wasReachable != nil && wasReachable.Status == metav1.ConditionFalse {
		r.Recorder.Eventf(conn, nil, corev1.EventTypeNormal, "Recovered", "Probe", "%s is reachable again", conn.Spec.URL)
	}
	// The latency is in status.lastProbe; a message that changed with it would rewrite the condition
	// on every probe.
	s.conds.True(v1alpha1.ConditionReachable, ReasonProbeSucceeded, fmt.Sprintf("%s answered", conn.Spec.URL))
	return nil
}

// summarize computes Ready from the conditions the steps set, and observedGeneration.
func (r *StoreConnectionReconciler) summarize(s *storeConnectionScope, reconcileErr error) {
	conn := s.conn
	if reconcileErr != nil {
		s.conds.True(v1alpha1.ConditionReconciling, ReasonProgressing, reconcileErr.Error())
		s.conds.False(v1alpha1.ConditionReady, ReasonProgressing, reconcileErr.Error())
		return
	}
	conn.Status.ObservedGeneration = conn.Generation
	creds := s.conds.get(v1alpha1.ConditionCredentialsReady)
	reach := s.conds.get(v1alpha1.ConditionReachable)
	switch {
	case creds == nil:
		s.conds.notReady(ReasonProgressing, "Credentials not resolved yet")
	case creds.Status != metav1.ConditionTrue && creds.Reason == ReasonCredentialsRejected:
		s.conds.stalled(creds.Reason, creds.Message) // a person must fix the Secret
		return
	case creds.Status != metav1.ConditionTrue:
		s.conds.notReady(creds.Reason, creds.Message)
	case reach != nil && reach.Status == metav1.ConditionFalse:
		s.conds.notReady(reach.Reason, reach.Message)
	case reach != nil && reach.Status == metav1.ConditionUnknown:
		s.conds.ready(ReasonSucceeded, "Credentials resolved; endpoint not probed")
	default:
		s.conds.ready(ReasonSucceeded, fmt.Sprintf("Credentials resolved and %s reachable", conn.Spec.System))
	}
	s.conds.remove(v1alpha1.ConditionReconciling)
}

func (r *StoreConnectionReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// SetupWithManager watches StoreConnections and the metadata of the Secrets they name: creating or
// changing a Secret reconciles every connection that uses it at once.
func (r *StoreConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.StoreConnection{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{},
			handler.EnqueueRequestsFromMapFunc(r.connectionsForSecret),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		// Probes wait on the network; several connections are probed at once.
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Named("storeconnection").
		Complete(r)
}

func (r *StoreConnectionReconciler) connectionsForSecret(ctx context.Context, secret client.Object) []reconcile.Request {
	var list v1alpha1.StoreConnectionList
	if err := r.List(ctx, &list, client.InNamespace(secret.GetNamespace()),
		client.MatchingFields{IndexCredentialsSecret: secret.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "Listing StoreConnections for a Secret failed", "secret", secret.GetName())
		return nil
	}
	return requestsFor(list.Items)
}

func durationOr(d *metav1.Duration, fallback time.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return fallback
	}
	return d.Duration
}
