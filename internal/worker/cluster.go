package worker

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// ClusterSource follows a SyncFlow and every object it references through the API server, one watch
// per object selected by metadata.name: the worker's Role grants get, list and watch on exactly those
// names, so it cannot use a namespace-wide cache. A changed Secret, connection or MappingSet shows up
// in the next Snapshot within a watch event, which is how credentials rotate without a restart.
type ClusterSource struct {
	client    client.WithWatch
	namespace string
	flowName  string
	log       logr.Logger

	mu       sync.Mutex
	snap     Snapshot
	watching map[string]context.CancelFunc // by kind/name
	changed  chan struct{}
}

// NewClusterSource returns a source for one SyncFlow.
func NewClusterSource(c client.WithWatch, namespace, flowName string, log logr.Logger) *ClusterSource {
	return &ClusterSource{
		client: c, namespace: namespace, flowName: flowName, log: log,
		snap:     Snapshot{Secrets: map[string]*corev1.Secret{}},
		watching: map[string]context.CancelFunc{},
		changed:  make(chan struct{}, 1),
	}
}

// Changed signals (coalesced) that the snapshot changed.
func (s *ClusterSource) Changed() <-chan struct{} { return s.changed }

// Snapshot returns a deep copy of what the source has seen so far.
func (s *ClusterSource) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Snapshot{Secrets: make(map[string]*corev1.Secret, len(s.snap.Secrets))}
	if s.snap.Flow != nil {
		out.Flow = s.snap.Flow.DeepCopy()
	}
	if s.snap.Source != nil {
		out.Source = s.snap.Source.DeepCopy()
	}
	if s.snap.Target != nil {
		out.Target = s.snap.Target.DeepCopy()
	}
	if s.snap.MappingSet != nil {
		out.MappingSet = s.snap.MappingSet.DeepCopy()
	}
	for k, v := range s.snap.Secrets {
		out.Secrets[k] = v.DeepCopy()
	}
	return out
}

// Run watches until ctx ends.
func (s *ClusterSource) Run(ctx context.Context) {
	s.ensureWatch(ctx, "SyncFlow", s.flowName)
	<-ctx.Done()
	s.mu.Lock()
	for _, cancel := range s.watching {
		cancel()
	}
	s.mu.Unlock()
}

// ensureWatch starts a watch on kind/name unless one runs.
func (s *ClusterSource) ensureWatch(ctx context.Context, kind, name string) {
	key := kind + "/" + name
	s.mu.Lock()
	if _, ok := s.watching[key]; ok {
		s.mu.Unlock()
		return
	}
	wctx, cancel := context.WithCancel(ctx)
	s.watching[key] = cancel
	s.mu.Unlock()
	go s.watchLoop(wctx, kind, name)
}

// pruneWatches stops watches on objects the flow no longer references.
func (s *ClusterSource) pruneWatches(wanted map[string]bool) {
	for key, cancel := range s.watching {
		if !wanted[key] {
			cancel()
			delete(s.watching, key)
		}
	}
}

func newList(kind string) client.ObjectList {
	switch kind {
	case "SyncFlow":
		return &v1alpha1.SyncFlowList{}
	case "StoreConnection":
		return &v1alpha1.StoreConnectionList{}
	case "MappingSet":
		return &v1alpha1.MappingSetList{}
	default:
		return &corev1.SecretList{}
	}
}

// watchLoop keeps one name-selected watch open, re-opening it with backoff when it ends. A watch
// opened without a resourceVersion first replays the object as it is, so a re-opened watch resyncs.
func (s *ClusterSource) watchLoop(ctx context.Context, kind, name string) {
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		w, err := s.client.Watch(ctx, newList(kind), client.InNamespace(s.namespace), client.MatchingFields{"metadata.name": name})
		if err != nil {
			s.log.Error(err, "Watching failed; retrying", "kind", kind, "name", name, "backoff", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = 200 * time.Millisecond
		s.consume(ctx, w, kind, name)
		w.Stop()
	}
}

func (s *ClusterSource) consume(ctx context.Context, w watch.Interface, kind, name string) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.ResultChan():
			if !ok {
				return
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				s.set(ctx, kind, name, ev.Object.(client.Object))
			case watch.Deleted:
				s.set(ctx, kind, name, nil)
			case watch.Error:
				return // re-open
			}
		}
	}
}

// set records an object (nil when deleted) and follows the references it implies. It signals a
// change only when the object appeared, went, or changed in what the worker reads: a status write
// (the worker's own reports, the operator's conditions and probes) would otherwise wake the worker
// to report again, which writes status again.
func (s *ClusterSource) set(ctx context.Context, kind, name string, obj client.Object) {
	s.mu.Lock()
	notify := readChanged(s.snap.object(kind, name), obj)
	switch kind {
	case "SyncFlow":
		s.snap.Flow, _ = obj.(*v1alpha1.SyncFlow)
		// Forget references the flow no longer makes; their watches are pruned below.
		if f := s.snap.Flow; f != nil {
			if s.snap.Source != nil && s.snap.Source.Name != f.Spec.SourceRef.Name {
				s.snap.Source = nil
			}
			if s.snap.Target != nil && s.snap.Target.Name != f.Spec.TargetRef.Name {
				s.snap.Target = nil
			}
			if s.snap.MappingSet != nil && s.snap.MappingSet.Name != f.Spec.MappingSetRef.Name {
				s.snap.MappingSet = nil
			}
		}
	case "StoreConnection":
		conn, _ := obj.(*v1alpha1.StoreConnection)
		if s.snap.Flow != nil && name == s.snap.Flow.Spec.SourceRef.Name {
			s.snap.Source = conn
		}
		if s.snap.Flow != nil && name == s.snap.Flow.Spec.TargetRef.Name {
			s.snap.Target = conn
		}
	case "MappingSet":
		s.snap.MappingSet, _ = obj.(*v1alpha1.MappingSet)
	case "Secret":
		if sec, ok := obj.(*corev1.Secret); ok {
			s.snap.Secrets[name] = sec
		} else {
			delete(s.snap.Secrets, name)
		}
	}
	wanted := map[string]bool{"SyncFlow/" + s.flowName: true}
	var start []string
	if f := s.snap.Flow; f != nil {
		for _, ref := range []string{"StoreConnection/" + f.Spec.SourceRef.Name, "StoreConnection/" + f.Spec.TargetRef.Name, "MappingSet/" + f.Spec.MappingSetRef.Name} {
			wanted[ref] = true
			start = append(start, ref)
		}
		for _, secret := range s.snap.SecretNames() {
			wanted["Secret/"+secret] = true
			start = append(start, "Secret/"+secret)
		}
	}
	s.pruneWatches(wanted)
	s.mu.Unlock()
	for _, key := range start {
		k, n, _ := strings.Cut(key, "/")
		s.ensureWatch(ctx, k, n)
	}
	if !notify {
		return
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// readChanged reports whether the worker must look again: the object appeared or went, its spec
// changed (generation), its annotations changed (request tokens), or it has no generation (Secrets,
// whose data is all there is).
func readChanged(old, cur client.Object) bool {
	if old == nil || cur == nil {
		return true
	}
	return cur.GetGeneration() == 0 || old.GetGeneration() != cur.GetGeneration() ||
		!maps.Equal(old.GetAnnotations(), cur.GetAnnotations())
}

// ClusterReporter publishes status by server-side apply with the worker's own field manager, so it
// owns exactly the fields it reports and never touches the operator's conditions.
type ClusterReporter struct {
	Client    client.Client
	Namespace string
	FlowName  string
}

// Report applies the status fields.
func (r *ClusterReporter) Report(ctx context.Context, status map[string]any) error {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(),
		"kind":       "SyncFlow",
		"metadata":   map[string]any{"name": r.FlowName, "namespace": r.Namespace},
		"status":     status,
	}}
	return r.Client.Status().Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(workerpod.FieldManager), client.ForceOwnership)
}
