package controllers_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/internal/testenv"
)

// kubectl runs the kubectl built from the Go module proxy against the envtest API server.
func kubectl(args ...string) (string, error) {
	cmd := exec.Command(testenv.Binary("kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var _ = Describe("kubectl", func() {
	It("waits for a good StoreConnection to become Ready", func() {
		ns := newNamespace()
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"))
		out, err := kubectl("wait", "-n", ns, "--for=condition=Ready", "storeconnection/shop", "--timeout=60s")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("storeconnection.retailsync.io/shop condition met"))
	})

	It("shows the SyncFlow printer columns, by kind and by short name", func() {
		ns := newNamespace()
		create(ordersFlow(ns, "orders", "shop", "erp", "acme"))
		for _, resource := range []string{"syncflows", "sf"} {
			out, err := kubectl("get", resource, "-n", ns)
			Expect(err).NotTo(HaveOccurred(), out)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			Expect(lines).To(HaveLen(2))
			Expect(strings.Fields(lines[0])).To(Equal([]string{"NAME", "FLOW", "SOURCE", "TARGET", "READY", "LAG", "BACKLOG", "DLQ", "LAST", "SYNC", "AGE"}))
			Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"orders", "Orders", "shop", "erp"}))
		}
		out, err := kubectl("get", "sf", "-n", ns, "-o", "wide")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("STATUS"))
		Eventually(func() string { out, _ := kubectl("get", "sf", "-n", ns, "-o", "wide"); return out }).
			Should(ContainSubstring(`StoreConnection "shop" named by spec.sourceRef was not found`))
	})

	It("lists every kind under the retailsync category", func() {
		ns := newNamespace()
		create(wooSecret(ns, "shop-api"), wooConnection(ns, "shop", "shop-api"), mappingSet(ns, "acme"),
			ordersFlow(ns, "orders", "shop", "erp", "acme"))
		out, err := kubectl("get", "retailsync", "-n", ns, "-o", "name")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(strings.Fields(out)).To(ConsistOf(
			"storeconnection.retailsync.io/shop", "mappingset.retailsync.io/acme", "syncflow.retailsync.io/orders"))
	})

	It("renders the install (config/default) into objects the API server accepts", func() {
		out, err := kubectl("kustomize", filepath.Join(testenv.RepoRoot(), "config", "default"))
		Expect(err).NotTo(HaveOccurred(), out)
		manifest := filepath.Join(GinkgoT().TempDir(), "install.yaml")
		Expect(os.WriteFile(manifest, []byte(out), 0o600)).To(Succeed())
		// Server-side dry run: every object is validated and defaulted by the real API server. A dry
		// run cannot create the namespace the others go into, so that one is created for real.
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "retailsync-system"}}
		Expect(client.IgnoreAlreadyExists(k8s.Create(context.Background(), ns))).To(Succeed())
		out, err = kubectl("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-f", manifest)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("deployment.apps/retailsync-controller-manager serverside-applied (server dry run)"))
		Expect(out).To(ContainSubstring("clusterrole.rbac.authorization.k8s.io/retailsync-manager-role serverside-applied"))
	})
})
