// Package worker hosts one SyncFlow: it resolves the flow's connections, MappingSet and credentials,
// opens the durable store, runs the engine and the flow's intake, serves health, metrics, the webhook
// receiver and the dead-letter API, and reports to the SyncFlow's status. Where the configuration
// comes from (the cluster, or YAML files for `retailsync run`) and where the report goes (server-side
// apply, or a table) are the two things that differ between those modes.
package worker

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// Snapshot is the configuration a flow runs with, read at one moment.
type Snapshot struct {
	Flow       *v1alpha1.SyncFlow
	Source     *v1alpha1.StoreConnection
	Target     *v1alpha1.StoreConnection
	MappingSet *v1alpha1.MappingSet
	// Secrets by name: the connections' credentials, the webhook secret, the PostgreSQL DSN.
	Secrets map[string]*corev1.Secret
}

// Complete reports what the snapshot still lacks, naming it, or nil.
func (s *Snapshot) Complete() error {
	switch {
	case s.Flow == nil:
		return fmt.Errorf("the SyncFlow is not readable")
	case s.Source == nil:
		return fmt.Errorf("StoreConnection %q (spec.sourceRef) is not readable", s.Flow.Spec.SourceRef.Name)
	case s.Target == nil:
		return fmt.Errorf("StoreConnection %q (spec.targetRef) is not readable", s.Flow.Spec.TargetRef.Name)
	case s.MappingSet == nil:
		return fmt.Errorf("MappingSet %q is not readable", s.Flow.Spec.MappingSetRef.Name)
	}
	for _, conn := range []*v1alpha1.StoreConnection{s.Source, s.Target} {
		if s.Secrets[conn.Spec.CredentialsSecretRef.Name] == nil {
			return fmt.Errorf("Secret %q of StoreConnection %q is not readable", conn.Spec.CredentialsSecretRef.Name, conn.Name)
		}
	}
	return nil
}

// SecretNames lists the Secrets the flow needs, given its connections.
func (s *Snapshot) SecretNames() []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if s.Source != nil {
		add(s.Source.Spec.CredentialsSecretRef.Name)
	}
	if s.Target != nil {
		add(s.Target.Spec.CredentialsSecretRef.Name)
	}
	if s.Flow != nil && s.Flow.Spec.Trigger.Webhook {
		add(workerpod.WebhookSecretName(s.Flow.Name))
	}
	return names
}

// object returns what the snapshot holds for kind and name, nil when nothing.
func (s *Snapshot) object(kind, name string) client.Object {
	switch kind {
	case "SyncFlow":
		if s.Flow != nil {
			return s.Flow
		}
	case "StoreConnection":
		if s.Source != nil && s.Source.Name == name {
			return s.Source
		}
		if s.Target != nil && s.Target.Name == name {
			return s.Target
		}
	case "MappingSet":
		if s.MappingSet != nil {
			return s.MappingSet
		}
	case "Secret":
		if sec := s.Secrets[name]; sec != nil {
			return sec
		}
	}
	return nil
}
