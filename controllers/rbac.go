package controllers

// Permissions the manager needs beyond its own kinds: a Lease for leader election, and TokenReviews
// and SubjectAccessReviews so that the metrics endpoint can authenticate and authorize scrapers.
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
