package worker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

// LoadFiles reads the YAML a user would apply (Secrets, StoreConnections, MappingSets, SyncFlows, in
// any order and any number of files) and returns one snapshot per SyncFlow, so `retailsync run -f`
// can run the flows without a cluster. Unknown kinds are an error: a typo must not be skipped.
func LoadFiles(scheme *runtime.Scheme, paths ...string) ([]Snapshot, error) {
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	conns := map[string]*v1alpha1.StoreConnection{}
	mappings := map[string]*v1alpha1.MappingSet{}
	secrets := map[string]*corev1.Secret{}
	var flows []*v1alpha1.SyncFlow
	key := func(ns, name string) string { return ns + "/" + name }
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
		for doc := 1; ; doc++ {
			raw, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if strings.TrimSpace(stripComments(string(raw))) == "" {
				continue
			}
			obj, _, err := decoder.Decode(raw, nil, nil)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s, document %d: %w", path, doc, err)
			}
			switch o := obj.(type) {
			case *v1alpha1.SyncFlow:
				flows = append(flows, o)
			case *v1alpha1.StoreConnection:
				conns[key(namespaceOf(o.Namespace), o.Name)] = o
			case *v1alpha1.MappingSet:
				mappings[key(namespaceOf(o.Namespace), o.Name)] = o
			case *corev1.Secret:
				for k, v := range o.StringData { // as the API server would merge it
					if o.Data == nil {
						o.Data = map[string][]byte{}
					}
					o.Data[k] = []byte(v)
				}
				secrets[key(namespaceOf(o.Namespace), o.Name)] = o
			case *corev1.Namespace:
			default:
				f.Close()
				return nil, fmt.Errorf("%s, document %d: %T is not something retailsync runs", path, doc, obj)
			}
		}
		f.Close()
	}
	if len(flows) == 0 {
		return nil, errors.New("no SyncFlow in the files")
	}
	var snaps []Snapshot
	for _, flow := range flows {
		ns := namespaceOf(flow.Namespace)
		flow.Namespace = ns
		snap := Snapshot{Flow: flow, Source: conns[key(ns, flow.Spec.SourceRef.Name)], Target: conns[key(ns, flow.Spec.TargetRef.Name)],
			MappingSet: mappings[key(ns, flow.Spec.MappingSetRef.Name)], Secrets: map[string]*corev1.Secret{}}
		for _, name := range snap.SecretNames() {
			if s := secrets[key(ns, name)]; s != nil {
				snap.Secrets[name] = s
			}
		}
		if err := snap.Complete(); err != nil {
			return nil, fmt.Errorf("SyncFlow %s/%s: %w", ns, flow.Name, err)
		}
		snaps = append(snaps, snap)
	}
	return snaps, nil
}

func namespaceOf(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// StaticSource is a Source that never changes: the configuration read from files.
type StaticSource struct{ Snap Snapshot }

// Snapshot returns the snapshot.
func (s StaticSource) Snapshot() Snapshot { return s.Snap }

// Changed never fires.
func (s StaticSource) Changed() <-chan struct{} { return nil }

// TableReporter keeps each flow's latest status and prints them as a table, for `retailsync run`.
type TableReporter struct {
	mu   sync.Mutex
	rows map[string]map[string]any
}

// For returns a Reporter for one flow.
func (t *TableReporter) For(name string) Reporter { return tableRow{t, name} }

type tableRow struct {
	t    *TableReporter
	name string
}

func (r tableRow) Report(_ context.Context, status map[string]any) error {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	if r.t.rows == nil {
		r.t.rows = map[string]map[string]any{}
	}
	r.t.rows[r.name] = status
	return nil
}

// Print writes the table.
func (t *TableReporter) Print(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.rows))
	for n := range t.rows {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "SYNCFLOW\tLAG\tBACKLOG\tDLQ\tPROCESSED\tFAILED\tLAST FAILURE")
	for _, n := range names {
		st := t.rows[n]
		counters, _ := st["counters"].(map[string]any)
		last := ""
		if f, ok := st["lastFailure"].(map[string]any); ok {
			last = fmt.Sprintf("%v: %v", f["reason"], f["message"])
		}
		fmt.Fprintf(tw, "%s\t%v\t%v\t%v\t%v\t%v\t%s\n", n, st["lag"], st["backlog"], st["deadLetters"], counters["processed"], counters["failed"], last)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "(%s)\n", time.Now().Format(time.TimeOnly))
}
