package testenv

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/operator"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// StandInWorker is what tests put in place of `retailsync worker` when they exercise the operator
// rather than the worker: it reads the arguments the local runtime passes, acts as the worker's
// ServiceAccount through the kubeconfig among them, and reports a healthy heartbeat as the worker
// would.
type StandInWorker struct {
	Args      []string
	Client    client.Client
	Namespace string
	Flow      string
}

// NewStandInWorker builds one from the worker's arguments.
func NewStandInWorker(args []string) (*StandInWorker, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", workerpod.Arg(args, workerpod.FlagKubeconfig))
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: operator.Scheme()})
	if err != nil {
		return nil, err
	}
	return &StandInWorker{Args: args, Client: c, Namespace: workerpod.Arg(args, workerpod.FlagNamespace), Flow: workerpod.Arg(args, workerpod.FlagSyncFlow)}, nil
}

// Heartbeat applies a caught-up report with a fresh heartbeat, by server-side apply with the
// worker's field manager.
func (w *StandInWorker) Heartbeat(ctx context.Context) error {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "SyncFlow",
		"metadata": map[string]any{"name": w.Flow, "namespace": w.Namespace},
		"status": map[string]any{"worker": map[string]any{"heartbeatTime": time.Now().UTC().Format(time.RFC3339)},
			"lag": "0s", "lagSeconds": 0, "backlog": 0, "deadLetters": 0},
	}}
	return w.Client.Status().Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(workerpod.FieldManager), client.ForceOwnership)
}
