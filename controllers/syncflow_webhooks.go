package controllers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/retailsync/retailsync/adapters/woocommerce"
	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/credentials"
	"github.com/retailsync/retailsync/internal/failure"
	"github.com/retailsync/retailsync/internal/storeclient"
	"github.com/retailsync/retailsync/internal/workerpod"
)

// This file registers a webhook-triggered flow's WooCommerce webhooks, generates and rotates the
// secret they sign with, re-activates them when WooCommerce disables them, and deletes them when the
// flow goes (through a finalizer).

// FinalizerWebhooks holds a flow's deletion until its webhooks are deleted from the store.
const FinalizerWebhooks = "retailsync.io/webhooks"

const (
	// webhookSecretGrace is how long the previous webhook secret stays accepted after a rotation.
	// WooCommerce signs each delivery when it sends it, with the secret it holds at that moment, so
	// once the store has the new secret only deliveries already on the wire (WooCommerce waits up to
	// 60 s) and workers whose view of the Secret has not caught up yet still need the old one. An hour
	// covers both with a wide margin. Keeping it until the next rotation instead would leave a leaked
	// secret usable for a whole rotation interval (30 days by default), which is what rotation is
	// meant to prevent. The previous secret is also kept for as long as the store has not taken the
	// new one (the store unreachable at rotation time), since it still signs with the old one then.
	webhookSecretGrace = time.Hour
	// webhookCleanupTimeout bounds how long a deleted flow waits for its webhooks to be deleted from
	// an unreachable store: a store that is gone for good must not keep the flow forever.
	webhookCleanupTimeout = 10 * time.Minute
	// defaultSecretRotation is spec.webhooks.secretRotationInterval's default.
	defaultSecretRotation = 720 * time.Hour
	// webhookSecretBytes of crypto/rand make one secret: 256 bits, as strong as its HMAC-SHA256.
	webhookSecretBytes = 32
)

// Reasons of the WebhooksReady condition and of webhook Events.
const (
	ReasonWebhooksRegistered     = "WebhooksRegistered"
	ReasonWebhooksNotConfigured  = "WebhookURLNotConfigured"
	ReasonWebhookDisabled        = "WebhookDisabled"
	ReasonWebhookPaused          = "WebhookPaused"
	ReasonWebhookStoreError      = "WebhookRegistrationFailed"
	ReasonWebhookSecretConflict  = "WebhookSecretConflict"
	ReasonWebhookWaitingOnWorker = "WaitingForWorkerSecret"
	ReasonWebhookSecretRotated   = "WebhookSecretRotated"
	ReasonWebhookCleanupPending  = "WebhookCleanupPending"
	ReasonWebhooksLeftBehind     = "WebhooksLeftBehind"
	ReasonWebhooksDeregistered   = "WebhooksDeleted"
	reasonWebhookRegisteredEvent = "WebhookRegistered"
)

// StoreClientFactory builds the WooCommerce client the operator manages a store's webhooks with,
// from the connection and the credentials its Secret holds. Tests point it at a simulator.
type StoreClientFactory func(conn *v1alpha1.StoreConnection, creds credentials.Set, log logr.Logger) (*woocommerce.Client, error)

// DefaultStoreClients builds the client from the connection's URL, auth method, timeout and limits.
func DefaultStoreClients(conn *v1alpha1.StoreConnection, creds credentials.Set, log logr.Logger) (*woocommerce.Client, error) {
	return storeclient.WooCommerce(conn.Spec, creds, log)
}

// webhookTopics are the store events a flow listens to. Finance needs order.updated alone: refunds
// and payments change an existing order, and an order is not revenue before it is paid.
func webhookTopics(kind v1alpha1.FlowKind) []string {
	switch kind {
	case v1alpha1.FlowOrders:
		return []string{"order.created", "order.updated"}
	case v1alpha1.FlowFinance:
		return []string{"order.updated"}
	}
	return nil
}

// webhookSecret is the content of a flow's webhook Secret.
type webhookSecret struct {
	current, previous string
	rotatedAt         time.Time
}

// String and GoString keep the values out of any log line or error that formats a webhookSecret.
func (s webhookSecret) String() string {
	return "webhook secret rotated at " + s.rotatedAt.Format(time.RFC3339)
}

func (s webhookSecret) GoString() string { return s.String() }

// errWebhookSecretConflict means a Secret with the webhook Secret's name exists but is not this flow's.
var errWebhookSecretConflict = errors.New("webhook secret not owned by the flow")

// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=retailsync.io,resources=syncflows/finalizers,verbs=update

// reconcileWebhooks brings the store's webhooks for the flow in line with what the flow declares.
// Webhooks are a fast path: whatever goes wrong with them is reported in WebhooksReady and retried,
// never a reason to stop the flow, which polls as a backstop.
func (r *SyncFlowReconciler) reconcileWebhooks(ctx context.Context, s *syncFlowScope) error {
	f := s.flow
	if !f.Spec.Trigger.Webhook || s.source.Spec.Webhooks == nil {
		if err := r.retireWebhooks(ctx, s); err != nil || controllerutil.ContainsFinalizer(f, FinalizerWebhooks) {
			return err // still retiring: WebhooksReady says why
		}
		if f.Spec.Trigger.Webhook {
			s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhooksNotConfigured, fmt.Sprintf(
				"StoreConnection %q has no spec.webhooks.publicURL, so no webhook can reach the worker; changes are found by polling alone", s.source.Name))
		} else {
			s.conds.remove(v1alpha1.ConditionWebhooksReady)
		}
		return nil
	}
	if err := r.setFinalizer(ctx, f, true); err != nil {
		return err
	}
	secret, err := r.ensureWebhookSecret(ctx, s)
	if errors.Is(err, errWebhookSecretConflict) {
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookSecretConflict, fmt.Sprintf(
			"Secret %q exists and is not owned by this SyncFlow; delete or rename it so the operator can create the webhook secret", workerpod.WebhookSecretName(f.Name)))
		return nil
	}
	if err != nil {
		return err
	}
	// Listing a store's webhooks is a slow WordPress request; a flow's health is rechecked every few
	// seconds. Ask the store again only when what should be registered changed, or when the last
	// check found something wrong, or once per check interval (to notice a webhook WooCommerce
	// disabled).
	key := client.ObjectKeyFromObject(f)
	want := webhookRegistrationHash(f, s.source, secret)
	if last, ok := r.webhooksChecked.Load(key); ok && last.(webhookCheck).hash == want && r.now().Sub(last.(webhookCheck).at) < r.webhookCheckInterval() {
		return r.retirePreviousSecret(ctx, s, secret)
	}
	r.webhooksChecked.Delete(key)
	store, err := r.storeClientFor(ctx, s.source)
	if err != nil {
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookStoreError, err.Error())
		return nil
	}
	if err := r.registerWebhooks(ctx, s, store, secret); err != nil {
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookStoreError, fmt.Sprintf("Registering webhooks in %s failed: %s", s.source.Spec.URL, err))
		return nil
	}
	if meta.IsStatusConditionTrue(f.Status.Conditions, v1alpha1.ConditionWebhooksReady) {
		r.webhooksChecked.Store(key, webhookCheck{hash: want, at: r.now()})
	}
	return r.retirePreviousSecret(ctx, s, secret)
}

// webhookCheck remembers the last time a flow's webhooks were found as they should be.
type webhookCheck struct {
	hash string
	at   time.Time
}

// defaultWebhookCheckInterval is how often a flow's registered webhooks are looked at in the store
// when nothing about them changed.
const defaultWebhookCheckInterval = 5 * time.Minute

func (r *SyncFlowReconciler) webhookCheckInterval() time.Duration {
	if r.WebhookCheckInterval > 0 {
		return r.WebhookCheckInterval
	}
	return defaultWebhookCheckInterval
}

// webhookRegistrationHash identifies what should be registered: where, for which flow kind, and
// with which secret (hashed here, kept only in memory), and whether the store may have that secret
// yet (the worker holds it).
func webhookRegistrationHash(f *v1alpha1.SyncFlow, conn *v1alpha1.StoreConnection, secret webhookSecret) string {
	h := sha256.New()
	for _, part := range []string{deliveryURL(f, conn), string(f.Spec.Flow), secret.current, secret.rotatedAt.String(),
		strconv.FormatBool(workerHoldsSecret(f, secret))} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// deliveryURL is where the flow's webhooks deliver: the connection's public URL and the flow's path.
func deliveryURL(f *v1alpha1.SyncFlow, conn *v1alpha1.StoreConnection) string {
	return strings.TrimRight(conn.Spec.Webhooks.PublicURL, "/") + workerpod.WebhookPath(f.Namespace, f.Name)
}

// ensureWebhookSecret creates the flow's webhook Secret, or rotates it once it is older than the
// connection's rotation interval.
func (r *SyncFlowReconciler) ensureWebhookSecret(ctx context.Context, s *syncFlowScope) (webhookSecret, error) {
	f := s.flow
	name := workerpod.WebhookSecretName(f.Name)
	obj := &corev1.Secret{}
	err := r.Get(ctx, types.NamespacedName{Namespace: f.Namespace, Name: name}, obj)
	if apierrors.IsNotFound(err) {
		return r.createWebhookSecret(ctx, f, name)
	}
	if err != nil {
		return webhookSecret{}, fmt.Errorf("reading webhook Secret %s: %w", name, err)
	}
	if !metav1.IsControlledBy(obj, f) {
		return webhookSecret{}, errWebhookSecretConflict
	}
	secret := parseWebhookSecret(obj)
	interval := durationOr(s.source.Spec.Webhooks.SecretRotationInterval, defaultSecretRotation)
	now := r.secretClock()
	age := now.Sub(secret.rotatedAt)
	// A Secret without a usable current secret or time (edited by hand) is rotated at once.
	if secret.current != "" && !secret.rotatedAt.IsZero() && age < interval {
		s.requeue(interval - age)
		return secret, nil
	}
	// While the store has not taken the last rotation (it was unreachable), it still signs with
	// previous: rotating again would drop the one secret its deliveries verify with.
	if secret.previous != "" && !storeHasSecret(f, secret) {
		s.requeue(healthRecheck)
		return secret, nil
	}
	next, err := newSecretValue()
	if err != nil {
		return webhookSecret{}, err
	}
	secret = webhookSecret{current: next, previous: secret.current, rotatedAt: now}
	writeWebhookSecret(obj, secret)
	if err := r.Update(ctx, obj); err != nil {
		return webhookSecret{}, fmt.Errorf("rotating webhook Secret %s: %w", name, err)
	}
	log.FromContext(ctx).Info("Rotated the webhook secret", "secret", name)
	r.Recorder.Eventf(f, nil, corev1.EventTypeNormal, ReasonWebhookSecretRotated, "RotateWebhookSecret",
		"Rotated the webhook secret in Secret %q; the previous one stays accepted until the store signs with the new one, for at least %s", name, webhookSecretGrace)
	s.requeue(interval)
	return secret, nil
}

// workerHoldsSecret reports whether the worker verifies deliveries with the secret's current value:
// it reports the rotation time of the webhook secret it last read. Until it does, the store is not
// given that secret, since every delivery signed with it would be refused (and WooCommerce disables
// a webhook after a few refusals).
func workerHoldsSecret(f *v1alpha1.SyncFlow, secret webhookSecret) bool {
	return webhookSecretTime(f).Equal(secret.rotatedAt) && !secret.rotatedAt.IsZero()
}

// storeHasSecret reports whether the store was last seen signing with the secret's current value.
func storeHasSecret(f *v1alpha1.SyncFlow, secret webhookSecret) bool {
	st := f.Status.Webhooks
	return st != nil && st.SecretRotationTime != nil && st.SecretRotationTime.Time.Equal(secret.rotatedAt)
}

func (r *SyncFlowReconciler) createWebhookSecret(ctx context.Context, f *v1alpha1.SyncFlow, name string) (webhookSecret, error) {
	value, err := newSecretValue()
	if err != nil {
		return webhookSecret{}, err
	}
	secret := webhookSecret{current: value, rotatedAt: r.secretClock()}
	obj := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.Namespace, Name: name, Labels: workerpod.Labels(f.Name)},
		Type:       corev1.SecretTypeOpaque,
	}
	writeWebhookSecret(obj, secret)
	if err := controllerutil.SetControllerReference(f, obj, r.Scheme()); err != nil {
		return webhookSecret{}, fmt.Errorf("owning webhook Secret %s: %w", name, err)
	}
	if err := r.Create(ctx, obj); err != nil {
		return webhookSecret{}, fmt.Errorf("creating webhook Secret %s: %w", name, err)
	}
	log.FromContext(ctx).Info("Created the webhook secret", "secret", name)
	return secret, nil
}

func parseWebhookSecret(obj *corev1.Secret) webhookSecret {
	return webhookSecret{
		current:   string(obj.Data[workerpod.WebhookSecretCurrent]),
		previous:  string(obj.Data[workerpod.WebhookSecretPrevious]),
		rotatedAt: workerpod.WebhookSecretRotation(obj.Data),
	}
}

func writeWebhookSecret(obj *corev1.Secret, s webhookSecret) {
	obj.Data = map[string][]byte{
		workerpod.WebhookSecretCurrent:   []byte(s.current),
		workerpod.WebhookSecretPrevious:  []byte(s.previous),
		workerpod.WebhookSecretRotatedAt: workerpod.FormatWebhookSecretRotation(s.rotatedAt),
	}
	obj.StringData = nil
}

func newSecretValue() (string, error) {
	b := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a webhook secret: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// retirePreviousSecret clears the previous secret once the grace period is over and every webhook
// of the flow signs with the current one.
func (r *SyncFlowReconciler) retirePreviousSecret(ctx context.Context, s *syncFlowScope, secret webhookSecret) error {
	if c := s.conds.get(v1alpha1.ConditionWebhooksReady); secret.previous == "" || c == nil || c.Status != metav1.ConditionTrue ||
		!storeHasSecret(s.flow, secret) {
		return nil // the store may still sign with previous
	}
	if wait := secret.rotatedAt.Add(webhookSecretGrace).Sub(r.now()); wait > 0 {
		s.requeue(wait)
		return nil
	}
	name := workerpod.WebhookSecretName(s.flow.Name)
	obj := &corev1.Secret{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: s.flow.Namespace, Name: name}, obj); err != nil {
		return fmt.Errorf("reading webhook Secret %s: %w", name, err)
	}
	if parseWebhookSecret(obj).current != secret.current {
		return nil // rotated meanwhile; the next reconcile judges the new previous
	}
	secret.previous = ""
	writeWebhookSecret(obj, secret)
	if err := r.Update(ctx, obj); err != nil {
		return fmt.Errorf("retiring the previous webhook secret in %s: %w", name, err)
	}
	log.FromContext(ctx).Info("Retired the previous webhook secret", "secret", name)
	return nil
}

// secretClock is the time a secret is stamped with, in the whole seconds its RFC 3339 form keeps,
// so that the Secret and status.webhooks.secretRotationTime compare equal.
func (r *SyncFlowReconciler) secretClock() time.Time { return r.now().UTC().Truncate(time.Second) }

// storeClientFor reads a connection's credentials and builds its WooCommerce client.
func (r *SyncFlowReconciler) storeClientFor(ctx context.Context, conn *v1alpha1.StoreConnection) (*woocommerce.Client, error) {
	secret := &corev1.Secret{}
	key := types.NamespacedName{Namespace: conn.Namespace, Name: conn.Spec.CredentialsSecretRef.Name}
	if err := r.Get(ctx, key, secret); err != nil {
		return nil, fmt.Errorf("reading credentials Secret %s of StoreConnection %s: %w", key.Name, conn.Name, err)
	}
	creds, err := credentials.FromSecret(secret, conn.Spec.RequiredCredentialKeys())
	if err != nil {
		return nil, err
	}
	factory := r.StoreClients
	if factory == nil {
		factory = DefaultStoreClients
	}
	return factory(conn, creds, log.FromContext(ctx))
}

// registerWebhooks creates the flow's missing webhooks, gives every one the current secret,
// re-activates the ones WooCommerce disabled, and deletes the flow's webhooks it no longer needs
// (a topic dropped, a duplicate, or an old delivery URL after publicURL changed). It recognises its
// own webhooks by their delivery URL, which is unique to the flow.
func (r *SyncFlowReconciler) registerWebhooks(ctx context.Context, s *syncFlowScope, store *woocommerce.Client, secret webhookSecret) error {
	f := s.flow
	url := deliveryURL(f, s.source)
	recorded := f.Status.Webhooks
	if recorded == nil {
		recorded = &v1alpha1.WebhooksStatus{}
	}
	all, err := woocommerce.Collect(store.Webhooks(ctx, woocommerce.ListOptions{}))
	if err != nil {
		return err
	}
	have := map[string]woocommerce.Webhook{}
	var surplus []woocommerce.Webhook
	for _, h := range all {
		switch {
		case h.DeliveryURL == url && slices.Contains(webhookTopics(f.Spec.Flow), h.Topic) && have[h.Topic].ID == 0:
			have[h.Topic] = h
		case h.DeliveryURL == url || (recorded.DeliveryURL != "" && h.DeliveryURL == recorded.DeliveryURL):
			surplus = append(surplus, h)
		}
	}
	for _, h := range surplus {
		if _, err := store.DeleteWebhook(ctx, h.ID); err != nil && !isNotFound(err) {
			return err
		}
	}

	// The store gets the current secret only once the worker holds it; until then existing webhooks
	// keep signing with the secret they have (the worker still accepts it as previous) and missing
	// ones wait.
	holds := workerHoldsSecret(f, secret)
	rotate := holds && !storeHasSecret(f, secret)
	workerUp := !f.Spec.Suspend && f.Status.Worker != nil && f.Status.Worker.ReadyReplicas >= workerReplicas(f)
	status := &v1alpha1.WebhooksStatus{DeliveryURL: url, SecretRotationTime: recorded.SecretRotationTime}
	if holds {
		status.SecretRotationTime = &metav1.Time{Time: secret.rotatedAt}
	}
	var disabled, paused, waiting []string
	for _, topic := range webhookTopics(f.Spec.Flow) {
		h, ok := have[topic]
		if !ok {
			if !holds {
				waiting = append(waiting, topic)
				continue
			}
			h = woocommerce.Webhook{Topic: topic, DeliveryURL: url}
		}
		if h, err = r.ensureWebhook(ctx, f, store, h, secret, holds, rotate, workerUp); err != nil {
			return err
		}
		switch h.Status {
		case woocommerce.WebhookDisabled:
			disabled = append(disabled, fmt.Sprintf("%d (%s)", h.ID, topic))
		case woocommerce.WebhookPaused:
			paused = append(paused, fmt.Sprintf("%d (%s)", h.ID, topic))
		}
		status.Registered = append(status.Registered, v1alpha1.RegisteredWebhook{Topic: topic, ID: h.ID, Status: h.Status})
	}
	f.Status.Webhooks = status

	switch {
	case len(waiting) > 0:
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookWaitingOnWorker, fmt.Sprintf(
			"Waiting for the worker to load the webhook secret before registering the %s webhook(s) in %s; changes are found by polling meanwhile",
			strings.Join(waiting, ", "), s.source.Spec.URL))
	case len(disabled) > 0:
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookDisabled, fmt.Sprintf(
			"WooCommerce disabled webhook %s after repeated failed deliveries; it is re-activated once the worker is available. Changes are found by polling meanwhile", strings.Join(disabled, ", ")))
	case len(paused) > 0:
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookPaused, fmt.Sprintf(
			"Webhook %s is paused in WooCommerce; set it active there to resume deliveries. Changes are found by polling meanwhile", strings.Join(paused, ", ")))
	default:
		s.conds.True(v1alpha1.ConditionWebhooksReady, ReasonWebhooksRegistered, fmt.Sprintf(
			"%d webhook(s) active, delivering to %s", len(status.Registered), url))
	}
	return nil
}

// ensureWebhook creates the webhook when it has no ID yet; otherwise it gives it the current secret
// (rotate, or a different copy in the store, once the worker holds it) and re-activates it if
// WooCommerce disabled it, but only while the worker is up: WooCommerce keeps the failure count on
// re-activation, so one more failed delivery would disable it again at once. A paused webhook was
// paused by a person and is left alone.
func (r *SyncFlowReconciler) ensureWebhook(ctx context.Context, f *v1alpha1.SyncFlow, store *woocommerce.Client,
	h woocommerce.Webhook, secret webhookSecret, holds, rotate, workerUp bool) (woocommerce.Webhook, error) {
	if h.ID == 0 {
		created, err := store.CreateWebhook(ctx, woocommerce.Webhook{
			Name:  fmt.Sprintf("retailsync %s/%s %s", f.Namespace, f.Name, h.Topic),
			Topic: h.Topic, DeliveryURL: h.DeliveryURL, Secret: secret.current,
			Status: woocommerce.WebhookActive, APIVersion: "wp_api_v3",
		})
		if err == nil {
			r.Recorder.Eventf(f, nil, corev1.EventTypeNormal, reasonWebhookRegisteredEvent, "RegisterWebhook",
				"Registered webhook %d for %s delivering to %s", created.ID, created.Topic, created.DeliveryURL)
		}
		return created, err
	}
	update := woocommerce.WebhookUpdate{}
	// The store's copy of the secret is compared when the API shows it; the recorded rotation time
	// covers stores that do not.
	if rotate || (holds && h.Secret != "" && h.Secret != secret.current) {
		update.Secret = &secret.current
	}
	reactivate := h.Status == woocommerce.WebhookDisabled && workerUp
	if reactivate {
		active := woocommerce.WebhookActive
		update.Status = &active
	}
	if update.Secret == nil && update.Status == nil {
		return h, nil
	}
	h, err := store.UpdateWebhook(ctx, h.ID, update)
	if err == nil && reactivate {
		log.FromContext(ctx).Info("Re-activated a webhook WooCommerce had disabled", "webhookID", h.ID, "topic", h.Topic)
		r.Recorder.Eventf(f, nil, corev1.EventTypeWarning, ReasonWebhookDisabled, "ReactivateWebhook",
			"WooCommerce disabled webhook %d (%s) after repeated failed deliveries; re-activated it. Changes meanwhile are picked up by polling", h.ID, h.Topic)
	}
	return h, err
}

// retireWebhooks removes what a flow registered once it no longer wants webhooks (trigger.webhook
// turned off, or the connection's webhooks removed): the store's webhooks, the secret, the finalizer.
func (r *SyncFlowReconciler) retireWebhooks(ctx context.Context, s *syncFlowScope) error {
	f := s.flow
	if !controllerutil.ContainsFinalizer(f, FinalizerWebhooks) {
		return nil
	}
	if err := r.deleteStoreWebhooks(ctx, f, s.source); err != nil {
		s.conds.False(v1alpha1.ConditionWebhooksReady, ReasonWebhookCleanupPending, fmt.Sprintf("Deleting the flow's webhooks from %s failed: %s", s.source.Spec.URL, err))
		return nil
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.Namespace, Name: workerpod.WebhookSecretName(f.Name)}}
	if err := r.Delete(ctx, secret); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting webhook Secret %s: %w", secret.Name, err)
	}
	f.Status.Webhooks = nil
	r.Recorder.Eventf(f, nil, corev1.EventTypeNormal, ReasonWebhooksDeregistered, "DeleteWebhooks", "Deleted the flow's webhooks from %s", s.source.Spec.URL)
	return r.setFinalizer(ctx, f, false)
}

// deleteStoreWebhooks deletes every webhook delivering to the flow's recorded or current URL.
func (r *SyncFlowReconciler) deleteStoreWebhooks(ctx context.Context, f *v1alpha1.SyncFlow, conn *v1alpha1.StoreConnection) error {
	urls := map[string]bool{}
	if f.Status.Webhooks != nil && f.Status.Webhooks.DeliveryURL != "" {
		urls[f.Status.Webhooks.DeliveryURL] = true
	}
	if conn.Spec.Webhooks != nil {
		urls[deliveryURL(f, conn)] = true
	}
	if len(urls) == 0 {
		return nil // never registered anywhere
	}
	store, err := r.storeClientFor(ctx, conn)
	if err != nil {
		return err
	}
	all, err := woocommerce.Collect(store.Webhooks(ctx, woocommerce.ListOptions{}))
	if err != nil {
		return err
	}
	for _, h := range all {
		if !urls[h.DeliveryURL] {
			continue
		}
		if _, err := store.DeleteWebhook(ctx, h.ID); err != nil && !isNotFound(err) {
			return err
		}
		log.FromContext(ctx).Info("Deleted webhook", "webhookID", h.ID, "topic", h.Topic)
	}
	return nil
}

// finalize runs when a flow is being deleted: it deletes the flow's webhooks from the store, then
// lets the flow go. It needs only the source connection, not a Ready flow: the references are not
// resolved, since the MappingSet or target may already be gone.
func (r *SyncFlowReconciler) finalize(ctx context.Context, f *v1alpha1.SyncFlow) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(f, FinalizerWebhooks) {
		return ctrl.Result{}, nil
	}
	conn := &v1alpha1.StoreConnection{}
	err := r.Get(ctx, types.NamespacedName{Namespace: f.Namespace, Name: f.Spec.SourceRef.Name}, conn)
	switch {
	case apierrors.IsNotFound(err):
		return r.abandonWebhooks(ctx, f, fmt.Sprintf("StoreConnection %q is gone", f.Spec.SourceRef.Name))
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("reading StoreConnection %s: %w", f.Spec.SourceRef.Name, err)
	}
	err = r.deleteStoreWebhooks(ctx, f, conn)
	switch {
	case err == nil:
		r.Recorder.Eventf(f, nil, corev1.EventTypeNormal, ReasonWebhooksDeregistered, "DeleteWebhooks", "Deleted the flow's webhooks from %s", conn.Spec.URL)
		return ctrl.Result{}, r.setFinalizer(ctx, f, false)
	case apierrors.IsNotFound(err):
		// The credentials Secret went with the flow (a namespace or an app pruned at once): nothing
		// can authenticate any more, so waiting would only hold the flow.
		return r.abandonWebhooks(ctx, f, fmt.Sprintf("the credentials Secret %q of StoreConnection %q is gone", conn.Spec.CredentialsSecretRef.Name, conn.Name))
	}
	elapsed := r.now().Sub(f.DeletionTimestamp.Time)
	retry, giveUp := cleanupRetry(elapsed)
	if giveUp {
		return r.abandonWebhooks(ctx, f, fmt.Sprintf("%s could not be reached for %s (last error: %s)", conn.Spec.URL, elapsed.Round(time.Second), err))
	}
	log.FromContext(ctx).Info("Deleting the flow's webhooks failed; retrying", "error", err.Error(), "retryAfter", retry)
	patch := newStatusPatch(f)
	conditionsOf(&f.Status.Conditions, f.Generation).False(v1alpha1.ConditionWebhooksReady, ReasonWebhookCleanupPending, fmt.Sprintf(
		"Deleting the flow's webhooks from %s failed, retrying until %s after deletion: %s", conn.Spec.URL, webhookCleanupTimeout, err))
	return ctrl.Result{RequeueAfter: retry}, patch.Patch(ctx, r.Client, f)
}

// cleanupRetry spaces retries of a deleted flow's webhook cleanup at half the time spent so far
// (between 5 s and 2 min), and says when to stop trying.
func cleanupRetry(elapsed time.Duration) (retry time.Duration, giveUp bool) {
	if elapsed >= webhookCleanupTimeout {
		return 0, true
	}
	return min(max(elapsed/2, 5*time.Second), 2*time.Minute, webhookCleanupTimeout-elapsed), false
}

// abandonWebhooks lets a deleted flow go without deleting its webhooks, naming them so a person can.
func (r *SyncFlowReconciler) abandonWebhooks(ctx context.Context, f *v1alpha1.SyncFlow, why string) (ctrl.Result, error) {
	ids := "(none recorded)"
	if st := f.Status.Webhooks; st != nil && len(st.Registered) > 0 {
		names := make([]string, len(st.Registered))
		for i, h := range st.Registered {
			names[i] = fmt.Sprintf("%d (%s)", h.ID, h.Topic)
		}
		ids = strings.Join(names, ", ")
	}
	log.FromContext(ctx).Info("Gave up deleting the flow's webhooks", "reason", why, "webhooks", ids)
	r.Recorder.Eventf(f, nil, corev1.EventTypeWarning, ReasonWebhooksLeftBehind, "DeleteWebhooks",
		"%s: webhooks %s were left in the store; delete them in WooCommerce > Settings > Advanced > Webhooks", why, ids)
	return ctrl.Result{}, r.setFinalizer(ctx, f, false)
}

// setFinalizer adds or removes the webhooks finalizer with an optimistic lock, so that another
// controller's finalizer added meanwhile is not overwritten. It patches a copy: the flow read at the
// start of the reconcile stays the base of the status patch.
func (r *SyncFlowReconciler) setFinalizer(ctx context.Context, f *v1alpha1.SyncFlow, present bool) error {
	changed := f.DeepCopy()
	if present && !controllerutil.AddFinalizer(changed, FinalizerWebhooks) ||
		!present && !controllerutil.RemoveFinalizer(changed, FinalizerWebhooks) {
		return nil
	}
	if err := r.Patch(ctx, changed, client.MergeFromWithOptions(f, client.MergeFromWithOptimisticLock{})); err != nil {
		return client.IgnoreNotFound(err)
	}
	f.Finalizers = changed.Finalizers
	return nil
}

// isNotFound reports a store answer that the webhook does not exist (deleted meanwhile).
func isNotFound(err error) bool { return failure.ReasonOf(err) == failure.ReasonNotFound }
