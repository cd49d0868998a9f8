// Package testenv starts a real kube-apiserver and etcd (envtest) with the retailsync CRDs installed,
// for the controller and end-to-end suites. The binaries come from hack/kube-binaries.sh, which builds
// them from the Go module proxy into bin/k8s/<version>; KUBEBUILDER_ASSETS overrides the location.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/retailsync/retailsync/internal/operator"
)

// KubernetesVersion is the release the binaries are built from; keep it in step with the Makefile.
const KubernetesVersion = "1.37.2"

// RepoRoot is the root of the checkout: the one this package was compiled from (tests), or the
// working directory when the binary was built with -trimpath and no source path survives (the demo,
// run from the checkout by make demo).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
		return root
	}
	wd, _ := os.Getwd()
	return wd
}

// AssetsDir is where kube-apiserver, etcd, kubectl and helm are.
func AssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "bin", "k8s", KubernetesVersion)
}

// Binary returns the path of one of the built binaries (kubectl, helm).
func Binary(name string) string { return filepath.Join(AssetsDir(), name) }

// Env is a running control plane.
type Env struct {
	*envtest.Environment
	Config *rest.Config
}

// Start starts etcd and kube-apiserver and installs the CRDs from config/crd/bases.
func Start() (*Env, error) {
	dir := AssetsDir()
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return nil, fmt.Errorf("no kube-apiserver in %s: run `make kube-binaries` (or `make test`) first", dir)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: dir,
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                operator.Scheme(),
	}
	// envtest's default Service range is a /24: 254 Services, fewer than the 500 flows the scale
	// benchmark runs (each worker has a Service). A /16 is what a small real cluster has.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting envtest: %w", err)
	}
	return &Env{Environment: env, Config: cfg}, nil
}

// WriteKubeconfig writes an admin kubeconfig for the running API server, for kubectl.
func (e *Env) WriteKubeconfig(path string) error {
	user, err := e.AddUser(envtest.User{Name: "retailsync-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding kubeconfig user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
