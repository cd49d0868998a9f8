// Package localruntime runs worker Deployments without a kubelet: it watches the Deployments the
// operator creates for SyncFlows and runs each worker in-process from the Deployment's own container
// arguments and environment, so the demo and the end-to-end suite prove that what the operator
// writes is runnable. It plays the kubelet's part (start, restart with backoff, readiness into the
// Deployment's status) and an Ingress's (one front door that routes webhook paths to the workers).
//
// Each worker talks to the API server as its own ServiceAccount, through impersonation, so the
// least-privilege Role the operator grants is what the worker really gets.
package localruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/retailsync/retailsync/internal/workerpod"
)

// Spec is what the runtime hands a worker process.
type Spec struct {
	// Args are the container's arguments followed by the runtime's overrides (loopback addresses,
	// a writable data directory, a kubeconfig that impersonates the pod's ServiceAccount).
	Args []string
	// Env is the container's environment, resolved (fieldRefs and secretKeyRefs read).
	Env map[string]string
	// Ready is called once the worker serves, with the addresses it bound.
	Ready func(Endpoints)
}

// Endpoints are the addresses a running worker bound.
type Endpoints struct {
	Webhook string
	Health  string
	Metrics string
}

// Runner runs one worker until ctx ends or it fails.
type Runner func(ctx context.Context, spec Spec) error

// Runtime reconciles worker Deployments into in-process workers.
type Runtime struct {
	client.Client
	// Config is the runtime's own (admin) access; workers get a copy that impersonates their
	// ServiceAccount.
	Config *rest.Config
	Run    Runner
	// DataRoot holds each worker's data directory and kubeconfig.
	DataRoot string
	// Front routes webhook deliveries to the workers; nil when no front door is served.
	Front *Front

	mu      sync.Mutex
	workers map[types.NamespacedName]*process
	events  chan event.GenericEvent
}

// process is one running worker.
type process struct {
	hash     string
	cancel   context.CancelFunc
	done     chan struct{}
	ready    bool
	restarts int32
	lastErr  error
	exitTime time.Time
}

// restartBackoff is how long a failed worker waits before the runtime starts it again, doubling per
// consecutive failure up to a minute, like a kubelet's CrashLoopBackOff.
func restartBackoff(restarts int32) time.Duration {
	d := time.Second << min(restarts, 6)
	return min(d, time.Minute)
}

// SetupWithManager watches worker Deployments (and nothing else the operator does not label).
func (r *Runtime) SetupWithManager(mgr ctrl.Manager) error {
	r.workers = map[types.NamespacedName]*process{}
	r.events = make(chan event.GenericEvent, 64)
	isWorker, err := predicate.LabelSelectorPredicate(metav1.LabelSelector{MatchLabels: map[string]string{
		workerpod.LabelName: workerpod.AppName, workerpod.LabelComponent: workerpod.ComponentValue,
	}})
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("localruntime").
		For(&appsv1.Deployment{}, builder.WithPredicates(isWorker)).
		WatchesRawSource(source.Channel(r.events, &handler.EnqueueRequestForObject{})).
		Complete(r)
}

// Stop ends every worker and waits for them: graceful shutdown of the runtime.
func (r *Runtime) Stop() {
	r.mu.Lock()
	procs := make([]*process, 0, len(r.workers))
	for key, p := range r.workers {
		p.cancel()
		procs = append(procs, p)
		delete(r.workers, key)
	}
	r.mu.Unlock()
	for _, p := range procs {
		<-p.done
	}
}

// Reconcile starts, restarts or stops the worker of one Deployment and reports it in the status.
func (r *Runtime) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	dep := &appsv1.Deployment{}
	if err := r.Get(ctx, req.NamespacedName, dep); err != nil {
		if apierrors.IsNotFound(err) {
			r.stop(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if dep.Spec.Replicas != nil && *dep.Spec.Replicas == 0 {
		r.stop(req.NamespacedName)
		return ctrl.Result{}, r.writeStatus(ctx, dep, false, 0)
	}
	spec, hash, err := r.specFor(ctx, dep)
	if err != nil {
		return ctrl.Result{}, err
	}

	r.mu.Lock()
	p := r.workers[req.NamespacedName]
	r.mu.Unlock()
	switch {
	case p == nil || p.hash != hash:
		r.stop(req.NamespacedName)
		r.start(req.NamespacedName, dep, spec, hash, 0)
		return ctrl.Result{}, r.writeStatus(ctx, dep, false, 0)
	case isDone(p):
		// The worker exited: start it again after its backoff.
		wait := restartBackoff(p.restarts)
		if time.Since(p.exitTime) < wait {
			return ctrl.Result{RequeueAfter: wait}, r.writeStatus(ctx, dep, false, p.restarts)
		}
		log.FromContext(ctx).Info("Restarting worker", "deployment", req.NamespacedName, "restarts", p.restarts+1, "lastError", p.lastErr)
		r.start(req.NamespacedName, dep, spec, hash, p.restarts+1)
		return ctrl.Result{}, r.writeStatus(ctx, dep, false, p.restarts+1)
	default:
		r.mu.Lock()
		ready := p.ready
		r.mu.Unlock()
		return ctrl.Result{}, r.writeStatus(ctx, dep, ready, p.restarts)
	}
}

func isDone(p *process) bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// start runs the worker in a goroutine; readiness and exit come back as events on the Deployment.
func (r *Runtime) start(key types.NamespacedName, dep *appsv1.Deployment, spec Spec, hash string, restarts int32) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{hash: hash, cancel: cancel, done: make(chan struct{}), restarts: restarts}
	notify := func() { r.events <- event.GenericEvent{Object: dep.DeepCopy()} }
	spec.Ready = func(ep Endpoints) {
		r.mu.Lock()
		p.ready = true
		r.mu.Unlock()
		if r.Front != nil {
			r.Front.Route(workerpod.Arg(spec.Args, workerpod.FlagSyncFlow), key.Namespace, ep.Webhook)
		}
		notify()
	}
	r.mu.Lock()
	r.workers[key] = p
	r.mu.Unlock()
	go func() {
		err := r.Run(ctx, spec)
		r.mu.Lock()
		p.ready, p.lastErr, p.exitTime = false, err, time.Now()
		r.mu.Unlock()
		if r.Front != nil {
			r.Front.Unroute(workerpod.Arg(spec.Args, workerpod.FlagSyncFlow), key.Namespace)
		}
		close(p.done)
		if ctx.Err() == nil { // it exited by itself: tell Reconcile, which restarts it
			notify()
		}
	}()
}

func (r *Runtime) stop(key types.NamespacedName) {
	r.mu.Lock()
	p := r.workers[key]
	delete(r.workers, key)
	r.mu.Unlock()
	if p != nil {
		p.cancel()
		<-p.done
	}
}

// writeStatus reports the worker as a Deployment controller would, so the operator's health logic
// reads the same fields it reads in a real cluster.
func (r *Runtime) writeStatus(ctx context.Context, dep *appsv1.Deployment, ready bool, restarts int32) error {
	want := int32(1)
	if dep.Spec.Replicas != nil {
		want = *dep.Spec.Replicas
	}
	st := appsv1.DeploymentStatus{ObservedGeneration: dep.Generation}
	if want > 0 {
		st.Replicas, st.UpdatedReplicas = 1, 1
	}
	available := corev1.ConditionFalse
	reason, message := "WorkerStarting", "the local runtime is starting the worker"
	if want == 0 {
		reason, message = "ScaledToZero", "no replicas wanted"
	}
	if restarts > 0 {
		message = fmt.Sprintf("%s (restarts: %d)", message, restarts)
	}
	if ready {
		st.ReadyReplicas, st.AvailableReplicas = 1, 1
		available, reason, message = corev1.ConditionTrue, "WorkerRunning", "the worker runs in the local runtime"
	} else if want > 0 {
		st.UnavailableReplicas = 1
	}
	now := metav1.Now()
	st.Conditions = []appsv1.DeploymentCondition{{
		Type: appsv1.DeploymentAvailable, Status: available, Reason: reason, Message: message,
		LastUpdateTime: now, LastTransitionTime: now,
	}}
	if prev := findAvailable(dep.Status.Conditions); prev != nil && prev.Status == available && prev.Reason == reason {
		st.Conditions[0].LastTransitionTime = prev.LastTransitionTime
		st.Conditions[0].LastUpdateTime = prev.LastUpdateTime
	}
	if equalStatus(dep.Status, st) {
		return nil
	}
	dep.Status = st
	return client.IgnoreNotFound(r.Status().Update(ctx, dep))
}

func findAvailable(conds []appsv1.DeploymentCondition) *appsv1.DeploymentCondition {
	for i := range conds {
		if conds[i].Type == appsv1.DeploymentAvailable {
			return &conds[i]
		}
	}
	return nil
}

func equalStatus(a, b appsv1.DeploymentStatus) bool {
	if a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas || a.ReadyReplicas != b.ReadyReplicas ||
		a.AvailableReplicas != b.AvailableReplicas || a.UpdatedReplicas != b.UpdatedReplicas || a.UnavailableReplicas != b.UnavailableReplicas {
		return false
	}
	ca, cb := findAvailable(a.Conditions), findAvailable(b.Conditions)
	return ca != nil && cb != nil && ca.Status == cb.Status && ca.Reason == cb.Reason && ca.Message == cb.Message
}

// specFor builds the worker's process spec from the Deployment's first container.
func (r *Runtime) specFor(ctx context.Context, dep *appsv1.Deployment) (Spec, string, error) {
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) == 0 {
		return Spec{}, "", fmt.Errorf("deployment %s/%s has no containers", dep.Namespace, dep.Name)
	}
	c := pod.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		v, err := r.resolveEnv(ctx, dep, e)
		if err != nil {
			return Spec{}, "", err
		}
		env[e.Name] = v
	}
	dir := filepath.Join(r.DataRoot, dep.Namespace, dep.Name)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		return Spec{}, "", err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := r.writeKubeconfig(kubeconfig, dep.Namespace, pod.ServiceAccountName); err != nil {
		return Spec{}, "", err
	}
	args := append([]string{}, c.Args...)
	args = append(args,
		workerpod.FlagDataDir, filepath.Join(dir, "data"),
		workerpod.FlagWebhookAddr, "127.0.0.1:0",
		workerpod.FlagHealthAddr, "127.0.0.1:0",
		workerpod.FlagMetricsAddr, "127.0.0.1:0",
		workerpod.FlagKubeconfig, kubeconfig,
	)
	h := sha256.New()
	for _, a := range args {
		h.Write([]byte(a + "\x00"))
	}
	for _, e := range c.Env { // names and resolved values, in the Deployment's order
		h.Write([]byte(e.Name + "=" + env[e.Name] + "\x00"))
	}
	h.Write([]byte(pod.ServiceAccountName))
	return Spec{Args: args, Env: env}, hex.EncodeToString(h.Sum(nil)), nil
}

func (r *Runtime) resolveEnv(ctx context.Context, dep *appsv1.Deployment, e corev1.EnvVar) (string, error) {
	switch {
	case e.ValueFrom == nil:
		return e.Value, nil
	case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
		return dep.Name + "-local", nil
	case e.ValueFrom.SecretKeyRef != nil:
		ref := e.ValueFrom.SecretKeyRef
		s := &corev1.Secret{}
		if err := r.Get(ctx, types.NamespacedName{Namespace: dep.Namespace, Name: ref.Name}, s); err != nil {
			return "", fmt.Errorf("env %s: reading Secret %s: %w", e.Name, ref.Name, err)
		}
		v, ok := s.Data[ref.Key]
		if !ok {
			return "", fmt.Errorf("env %s: Secret %s has no key %q", e.Name, ref.Name, ref.Key)
		}
		return string(v), nil
	default:
		return "", fmt.Errorf("env %s: the local runtime cannot resolve this valueFrom", e.Name)
	}
}

// writeKubeconfig gives the worker the runtime's access, impersonating the pod's ServiceAccount.
func (r *Runtime) writeKubeconfig(path, namespace, serviceAccount string) error {
	cfg := r.Config
	cluster := &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	user := &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken,
		Impersonate: "system:serviceaccount:" + namespace + ":" + serviceAccount,
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["local"] = cluster
	kc.AuthInfos["worker"] = user
	kc.Contexts["worker"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "worker", Namespace: namespace}
	kc.CurrentContext = "worker"
	return clientcmd.WriteToFile(*kc, path)
}
