package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// This file builds the objects of a flow's worker as server-side apply configurations: only the
// fields the operator sets are sent, so an apply changes only what drifted and leaves fields other
// managers own (an HPA's replicas aside, a cluster's injected defaults) alone.

// workerObjects returns every object a flow's worker needs, in the order they should be applied.
func workerObjects(s *syncFlowScope, image string) []workerObject {
	f := s.flow
	name := workerpod.Name(f.Name)
	objs := []workerObject{
		{kind: "ServiceAccount", apply: workerServiceAccount(f, name)},
		{kind: "Role", apply: workerRole(s, name)},
		{kind: "RoleBinding", apply: workerRoleBinding(f, name)},
	}
	if usesEmbeddedStore(f) {
		objs = append(objs, workerObject{kind: "PersistentVolumeClaim", apply: workerPVC(f, name)})
	}
	objs = append(objs,
		workerObject{kind: "Service", apply: workerService(f, name)},
		workerObject{kind: "Deployment", apply: workerDeployment(f, name, image)},
	)
	return objs
}

type workerObject struct {
	kind  string
	apply runtime.ApplyConfiguration
}

func ownedMeta(f *v1alpha1.SyncFlow) *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(v1alpha1.GroupVersion.String()).
		WithKind("SyncFlow").
		WithName(f.Name).
		WithUID(f.UID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}

func usesEmbeddedStore(f *v1alpha1.SyncFlow) bool {
	return f.Spec.Worker.Store == nil || f.Spec.Worker.Store.Type != v1alpha1.StorePostgreSQL
}

func workerServiceAccount(f *v1alpha1.SyncFlow, name string) *corev1ac.ServiceAccountApplyConfiguration {
	return corev1ac.ServiceAccount(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		// The worker talks to the API server through its own token only; nothing else is mounted.
		WithAutomountServiceAccountToken(true)
}

// workerRole grants exactly what one worker needs: its own SyncFlow and its status, its two
// connections, its MappingSet, and get/watch on the Secrets those name. Every rule is narrowed by
// resourceNames, so a worker cannot read another flow's Secret even in the same namespace. list and
// watch with resourceNames work for informers that select by metadata.name, which the worker uses.
func workerRole(s *syncFlowScope, name string) *rbacv1ac.RoleApplyConfiguration {
	f := s.flow
	read := []string{"get", "list", "watch"}
	rule := func(group, resource string, verbs []string, names ...string) *rbacv1ac.PolicyRuleApplyConfiguration {
		return rbacv1ac.PolicyRule().WithAPIGroups(group).WithResources(resource).WithVerbs(verbs...).WithResourceNames(names...)
	}
	return rbacv1ac.Role(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		WithRules(
			rule(v1alpha1.GroupVersion.Group, "syncflows", read, f.Name),
			rule(v1alpha1.GroupVersion.Group, "syncflows/status", []string{"get", "patch"}, f.Name),
			rule(v1alpha1.GroupVersion.Group, "storeconnections", read, f.Spec.SourceRef.Name, f.Spec.TargetRef.Name),
			rule(v1alpha1.GroupVersion.Group, "mappingsets", read, f.Spec.MappingSetRef.Name),
			rule("", "secrets", read, workerSecretNames(s)...),
			rbacv1ac.PolicyRule().WithAPIGroups("events.k8s.io").WithResources("events").WithVerbs("create", "patch"),
		)
}

// workerSecretNames lists the Secrets a worker may read: its connections' credentials, its webhook
// secrets when webhooks trigger it and, for the PostgreSQL store, the DSN Secret.
func workerSecretNames(s *syncFlowScope) []string {
	names := []string{s.source.Spec.CredentialsSecretRef.Name}
	if t := s.target.Spec.CredentialsSecretRef.Name; t != names[0] {
		names = append(names, t)
	}
	if s.flow.Spec.Trigger.Webhook {
		names = append(names, workerpod.WebhookSecretName(s.flow.Name))
	}
	if st := s.flow.Spec.Worker.Store; st != nil && st.PostgreSQL != nil {
		names = append(names, st.PostgreSQL.DSNSecretRef.Name)
	}
	return names
}

func workerRoleBinding(f *v1alpha1.SyncFlow, name string) *rbacv1ac.RoleBindingApplyConfiguration {
	return rbacv1ac.RoleBinding(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		WithRoleRef(rbacv1ac.RoleRef().WithAPIGroup(rbacv1.GroupName).WithKind("Role").WithName(name)).
		WithSubjects(rbacv1ac.Subject().WithKind(rbacv1.ServiceAccountKind).WithName(name).WithNamespace(f.Namespace))
}

func workerPVC(f *v1alpha1.SyncFlow, name string) *corev1ac.PersistentVolumeClaimApplyConfiguration {
	size := resource.MustParse("1Gi")
	if st := f.Spec.Worker.Storage; st != nil && st.Size != nil {
		size = *st.Size
	}
	spec := corev1ac.PersistentVolumeClaimSpec().
		WithAccessModes(corev1.ReadWriteOnce).
		WithResources(corev1ac.VolumeResourceRequirements().WithRequests(corev1.ResourceList{corev1.ResourceStorage: size}))
	if st := f.Spec.Worker.Storage; st != nil && st.StorageClassName != nil {
		spec = spec.WithStorageClassName(*st.StorageClassName)
	}
	return corev1ac.PersistentVolumeClaim(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		WithSpec(spec)
}

func workerService(f *v1alpha1.SyncFlow, name string) *corev1ac.ServiceApplyConfiguration {
	port := func(n string, p int32) *corev1ac.ServicePortApplyConfiguration {
		return corev1ac.ServicePort().WithName(n).WithPort(p).WithTargetPort(intstr.FromString(n)).WithProtocol(corev1.ProtocolTCP)
	}
	return corev1ac.Service(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		WithSpec(corev1ac.ServiceSpec().
			WithSelector(workerpod.Selector(f.Name)).
			WithPorts(port(workerpod.WebhookPortName, workerpod.WebhookPort), port(workerpod.MetricsPortName, workerpod.MetricsPort)))
}

// workerReplicas is zero while the flow is suspended.
func workerReplicas(f *v1alpha1.SyncFlow) int32 {
	if f.Spec.Suspend {
		return 0
	}
	if f.Spec.Worker.Replicas != nil {
		return *f.Spec.Worker.Replicas
	}
	return 1
}

func workerDeployment(f *v1alpha1.SyncFlow, name, image string) *appsv1ac.DeploymentApplyConfiguration {
	probe := func(path string) *corev1ac.ProbeApplyConfiguration {
		return corev1ac.Probe().WithHTTPGet(corev1ac.HTTPGetAction().WithPath(path).WithPort(intstr.FromString(workerpod.HealthPortName))).
			WithPeriodSeconds(10)
	}
	containerPort := func(n string, p int32) *corev1ac.ContainerPortApplyConfiguration {
		return corev1ac.ContainerPort().WithName(n).WithContainerPort(p).WithProtocol(corev1.ProtocolTCP)
	}
	env := []*corev1ac.EnvVarApplyConfiguration{
		corev1ac.EnvVar().WithName(workerpod.EnvPodName).WithValueFrom(
			corev1ac.EnvVarSource().WithFieldRef(corev1ac.ObjectFieldSelector().WithFieldPath("metadata.name"))),
	}
	if st := f.Spec.Worker.Store; st != nil && st.PostgreSQL != nil {
		env = append(env, corev1ac.EnvVar().WithName(workerpod.EnvPostgresDSN).WithValueFrom(
			corev1ac.EnvVarSource().WithSecretKeyRef(corev1ac.SecretKeySelector().
				WithName(st.PostgreSQL.DSNSecretRef.Name).WithKey(st.PostgreSQL.DSNSecretRef.Key))))
	}
	resources := corev1ac.ResourceRequirements()
	if r := f.Spec.Worker.Resources; len(r.Requests) > 0 || len(r.Limits) > 0 {
		if len(r.Requests) > 0 {
			resources = resources.WithRequests(r.Requests)
		}
		if len(r.Limits) > 0 {
			resources = resources.WithLimits(r.Limits)
		}
	} else {
		resources = resources.
			WithRequests(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}).
			WithLimits(corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")})
	}

	volumes := []*corev1ac.VolumeApplyConfiguration{
		corev1ac.Volume().WithName("tmp").WithEmptyDir(corev1ac.EmptyDirVolumeSource()),
	}
	mounts := []*corev1ac.VolumeMountApplyConfiguration{
		corev1ac.VolumeMount().WithName("tmp").WithMountPath(workerpod.TmpDir),
	}
	strategy := appsv1ac.DeploymentStrategy().WithType(appsv1.RollingUpdateDeploymentStrategyType)
	if usesEmbeddedStore(f) {
		volumes = append(volumes, corev1ac.Volume().WithName("data").
			WithPersistentVolumeClaim(corev1ac.PersistentVolumeClaimVolumeSource().WithClaimName(name)))
		mounts = append(mounts, corev1ac.VolumeMount().WithName("data").WithMountPath(workerpod.DataDir))
		// One file, one writer: the old pod must stop before the new one opens the store.
		strategy = appsv1ac.DeploymentStrategy().WithType(appsv1.RecreateDeploymentStrategyType)
	}

	container := corev1ac.Container().
		WithName("worker").
		WithImage(image).
		WithArgs(workerpod.Args(f.Namespace, f.Name)...).
		WithEnv(env...).
		WithPorts(
			containerPort(workerpod.WebhookPortName, workerpod.WebhookPort),
			containerPort(workerpod.HealthPortName, workerpod.HealthPort),
			containerPort(workerpod.MetricsPortName, workerpod.MetricsPort)).
		WithLivenessProbe(probe("/healthz")).
		WithReadinessProbe(probe("/readyz")).
		WithResources(resources).
		WithVolumeMounts(mounts...).
		WithSecurityContext(corev1ac.SecurityContext().
			WithAllowPrivilegeEscalation(false).
			WithReadOnlyRootFilesystem(true).
			WithRunAsNonRoot(true).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL")))

	return appsv1ac.Deployment(name, f.Namespace).
		WithLabels(workerpod.Labels(f.Name)).
		WithOwnerReferences(ownedMeta(f)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(workerReplicas(f)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(workerpod.Selector(f.Name))).
			WithStrategy(strategy).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(workerpod.Labels(f.Name)).
				WithSpec(corev1ac.PodSpec().
					WithServiceAccountName(name).
					WithSecurityContext(corev1ac.PodSecurityContext().
						WithRunAsNonRoot(true).
						WithRunAsUser(65532).
						WithFSGroup(65532).
						WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
					WithTerminationGracePeriodSeconds(30).
					WithContainers(container).
					WithVolumes(volumes...))))
}

// fullResync is how often every worker object is applied again even when nothing seems to have
// changed, so drift in objects the operator does not watch (Role, Service, ...) is repaired.
const fullResync = 10 * time.Minute

// appliedWorker remembers what was last applied for a flow's worker.
type appliedWorker struct {
	hash string
	at   time.Time
}

// needsApply says whether the worker objects must be applied: they differ from what was last
// applied, the full-resync period passed, or the Deployment (which is watched) drifted from them.
// A flow's health is rechecked every few seconds; re-applying six objects each time would be most of
// the operator's load on the API server at scale, for nothing.
func (r *SyncFlowReconciler) needsApply(key types.NamespacedName, objs []workerObject, dep *appsv1.Deployment) bool {
	hash, err := hashObjects(objs)
	if err != nil {
		return true
	}
	v, ok := r.applied.Load(key)
	if !ok {
		return true
	}
	last := v.(appliedWorker)
	if last.hash != hash || r.now().Sub(last.at) > fullResync || dep.UID == "" {
		return true
	}
	return deploymentDrifted(dep, objs)
}

func (r *SyncFlowReconciler) recordApplied(key types.NamespacedName, objs []workerObject) {
	if hash, err := hashObjects(objs); err == nil {
		r.applied.Store(key, appliedWorker{hash: hash, at: r.now()})
	}
}

func hashObjects(objs []workerObject) (string, error) {
	h := sha256.New()
	for _, o := range objs {
		data, err := json.Marshal(o.apply)
		if err != nil {
			return "", err
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// deploymentDrifted compares what matters most in the cached Deployment with what the operator wants:
// replicas, image, arguments and ServiceAccount, the fields someone editing by hand would change.
func deploymentDrifted(dep *appsv1.Deployment, objs []workerObject) bool {
	for _, o := range objs {
		want, ok := o.apply.(*appsv1ac.DeploymentApplyConfiguration)
		if !ok {
			continue
		}
		spec := want.Spec
		if dep.Spec.Replicas == nil || *dep.Spec.Replicas != *spec.Replicas {
			return true
		}
		pod := dep.Spec.Template.Spec
		wantPod := spec.Template.Spec
		if pod.ServiceAccountName != *wantPod.ServiceAccountName || len(pod.Containers) != len(wantPod.Containers) {
			return true
		}
		for i, c := range pod.Containers {
			wc := wantPod.Containers[i]
			if c.Image != *wc.Image || !slices.Equal(c.Args, wc.Args) {
				return true
			}
		}
	}
	return false
}
