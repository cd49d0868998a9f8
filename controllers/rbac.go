package controllers

// The manager elects a leader with a Lease, and reads the flows' worker Deployments and Services.
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
