package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retailsync/retailsync/internal/operator"
)

func TestLoadFilesReadsTheSamples(t *testing.T) {
	samples, _ := filepath.Glob("../../config/samples/*.yaml")
	var files []string
	for _, f := range samples {
		if filepath.Base(f) != "kustomization.yaml" {
			files = append(files, f)
		}
	}
	snaps, err := LoadFiles(operator.Scheme(), files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 {
		t.Fatalf("got %d flows, want the one Orders flow", len(snaps))
	}
	s := snaps[0]
	if s.Flow.Name != "orders" || s.Source.Name != "acme-shop" || s.Target.Name != "acme-erp" || s.MappingSet.Name != "acme" {
		t.Fatalf("wrong wiring: %s %s %s %s", s.Flow.Name, s.Source.Name, s.Target.Name, s.MappingSet.Name)
	}
	if got := string(s.Secrets["acme-shop-api"].Data["consumerKey"]); got != "ck_demo_acme" {
		t.Errorf("stringData not merged into data: %q", got)
	}
}

func TestLoadFilesRejectsWhatItCannotRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]struct{ body, want string }{
		"an unknown field": {"apiVersion: retailsync.io/v1alpha1\nkind: SyncFlow\nmetadata: {name: x}\n" +
			"spec: {flow: Orders, sourceRf: {name: a}, sourceRef: {name: a}, targetRef: {name: b}, mappingSetRef: {name: m}}\n", "sourceRf"},
		"a kind it does not run": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "not something retailsync runs"},
		"a flow whose connection is missing": {"apiVersion: retailsync.io/v1alpha1\nkind: SyncFlow\nmetadata: {name: x}\n" +
			"spec: {flow: Orders, sourceRef: {name: a}, targetRef: {name: b}, mappingSetRef: {name: m}}\n", `StoreConnection "a"`},
		"no flow at all": {"# only a comment\n", "no SyncFlow"},
	}
	for what, c := range cases {
		_, err := LoadFiles(operator.Scheme(), write(strings.ReplaceAll(what, " ", "-")+".yaml", c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error about %q", what, err, c.want)
		}
	}
}
