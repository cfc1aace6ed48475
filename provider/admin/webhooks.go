package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
)

// webhookJSON is a subscription as the API shows it: never its secret,
// which only the answers to a creation and a rotation carry, once.
type webhookJSON struct {
	ID          string   `json:"id"`
	ClientID    string   `json:"client_id,omitempty"`
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Disabled    bool     `json:"disabled"`
	// PreviousSecretUntil is when the secret before the last rotation
	// stops signing; absent when none does.
	PreviousSecretUntil *time.Time `json:"previous_secret_until,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	// Secret is shown once, when the subscription is made or rotated.
	Secret string `json:"secret,omitempty"`
}

func webhookOut(w storage.WebhookSubscription, now time.Time) webhookJSON {
	out := webhookJSON{ID: w.ID, ClientID: w.ClientID, URL: w.URL, EventTypes: nonNil(w.EventTypes), Description: w.Description,
		Disabled: w.Disabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if w.PreviousSealedSecret != nil && now.Before(w.PreviousUntil) {
		out.PreviousSecretUntil = optional(w.PreviousUntil)
	}
	return out
}

// webhookRefused answers a refused subscription change and returns true;
// false for any other error.
func webhookRefused(w http.ResponseWriter, err error) bool {
	var p *webhooks.Problem
	switch {
	case errors.As(err, &p):
		writeError(w, http.StatusBadRequest, "invalid_request", p.Error())
	case errors.Is(err, webhooks.ErrStillQueued):
		writeError(w, http.StatusConflict, "conflict", "The message is still queued: it is sent, or given up, before it can be sent again.")
	default:
		return false
	}
	return true
}

// webhooksOn answers 404 and false when no webhook service is configured.
func (a *API) webhooksOn(w http.ResponseWriter) bool {
	if a.cfg.Webhooks == nil {
		writeError(w, http.StatusNotFound, "not_found", "Webhooks are not enabled on this provider.")
		return false
	}
	return true
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, _ string) {
	if !a.webhooksOn(w) {
		return
	}
	list, err := a.cfg.Webhooks.List(r.Context(), r.URL.Query().Get("client_id"))
	if err != nil {
		a.fail(w, r, "list webhooks", err)
		return
	}
	out := []webhookJSON{}
	for _, s := range list {
		out = append(out, webhookOut(s, a.cfg.Now()))
	}
	web.JSON(w, http.StatusOK, map[string]any{"webhooks": out})
}

// webhookBody is what a creation or a change takes; a change leaves an
// absent field as it is.
type webhookBody struct {
	ClientID    *string   `json:"client_id"`
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"event_types"`
	Description *string   `json:"description"`
	Disabled    *bool     `json:"disabled"`
}

// apply sets the body's fields on in.
func (b webhookBody) apply(in *webhooks.Input) {
	if b.URL != nil {
		in.URL = *b.URL
	}
	if b.EventTypes != nil {
		in.EventTypes = *b.EventTypes
	}
	if b.Description != nil {
		in.Description = *b.Description
	}
	if b.Disabled != nil {
		in.Disabled = *b.Disabled
	}
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request, caller string) {
	if !a.webhooksOn(w) {
		return
	}
	var body webhookBody
	if !decode(w, r, &body) {
		return
	}
	var in webhooks.Input
	body.apply(&in)
	if body.ClientID != nil {
		in.ClientID = *body.ClientID
	}
	sub, secret, err := a.cfg.Webhooks.Create(r.Context(), ByClient(caller), in)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusBadRequest, "invalid_request", "client_id: no such app.")
		return
	}
	if webhookRefused(w, err) {
		return
	}
	if err != nil {
		a.fail(w, r, "create webhook", err)
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin created a webhook", "admin_client_id", caller, "webhook", sub.ID, "client_id", sub.ClientID)
	out := webhookOut(sub, a.cfg.Now())
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, out)
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, _ string) {
	if !a.webhooksOn(w) {
		return
	}
	sub, err := a.cfg.Webhooks.Get(r.Context(), r.PathValue("id"))
	if a.notFound(w, r, err, "webhook") {
		return
	}
	web.JSON(w, http.StatusOK, webhookOut(sub, a.cfg.Now()))
}

func (a *API) patchWebhook(w http.ResponseWriter, r *http.Request, caller string) {
	if !a.webhooksOn(w) {
		return
	}
	var body webhookBody
	if !decode(w, r, &body) {
		return
	}
	if body.ClientID != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "client_id: cannot change: delete the webhook and add another.")
		return
	}
	sub, err := a.cfg.Webhooks.Get(r.Context(), r.PathValue("id"))
	if a.notFound(w, r, err, "webhook") {
		return
	}
	in := webhooks.Input{URL: sub.URL, EventTypes: sub.EventTypes, Description: sub.Description, Disabled: sub.Disabled}
	body.apply(&in)
	sub, err = a.cfg.Webhooks.Update(r.Context(), ByClient(caller), sub.ID, in)
	if webhookRefused(w, err) || a.notFound(w, r, err, "webhook") {
		return
	}
	web.JSON(w, http.StatusOK, webhookOut(sub, a.cfg.Now()))
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, caller string) {
	if !a.webhooksOn(w) {
		return
	}
	err := a.cfg.Webhooks.Delete(r.Context(), ByClient(caller), r.PathValue("id"))
	if a.notFound(w, r, err, "webhook") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, caller string) {
	if !a.webhooksOn(w) {
		return
	}
	sub, secret, err := a.cfg.Webhooks.RotateSecret(r.Context(), ByClient(caller), r.PathValue("id"))
	if a.notFound(w, r, err, "webhook") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin rotated a webhook secret", "admin_client_id", caller, "webhook", sub.ID)
	out := webhookOut(sub, a.cfg.Now())
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, out)
}

// deliveryJSON is a message as the API shows it (its payload too: it
// holds identifiers only).
type deliveryJSON struct {
	ID        int64     `json:"id"`
	MessageID string    `json:"message_id"`
	EventType string    `json:"event_type"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
	// NextAttemptAt is when a pending message is next sent.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	Payload       string     `json:"payload"`
}

// attemptJSON is a log entry as the API shows it.
type attemptJSON struct {
	Delivery   int64     `json:"delivery"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	Status     int       `json:"status,omitempty"`
	ErrorClass string    `json:"error_class,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// deliveriesLimit bounds the deliveries and log entries listed.
const deliveriesLimit = 100

func (a *API) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, _ string) {
	if !a.webhooksOn(w) {
		return
	}
	id := r.PathValue("id")
	if _, err := a.cfg.Webhooks.Get(r.Context(), id); a.notFound(w, r, err, "webhook") {
		return
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > deliveriesLimit {
		limit = deliveriesLimit
	}
	ms, as, err := a.cfg.Webhooks.Deliveries(r.Context(), id, limit)
	if err != nil {
		a.fail(w, r, "list webhook deliveries", err)
		return
	}
	deliveries, attempts := []deliveryJSON{}, []attemptJSON{}
	for _, m := range ms {
		d := deliveryJSON{ID: m.ID, MessageID: m.MessageID, EventType: m.EventType, State: m.State, Attempts: m.Attempts,
			CreatedAt: m.CreatedAt, Payload: string(m.Payload)}
		if m.State == storage.WebhookPending {
			d.NextAttemptAt = optional(m.DueAt)
		}
		deliveries = append(deliveries, d)
	}
	for _, at := range as {
		attempts = append(attempts, attemptJSON{Delivery: at.Delivery, Attempt: at.Attempt, At: at.At, Status: at.Status,
			ErrorClass: at.ErrorClass, DurationMS: at.Duration.Milliseconds()})
	}
	web.JSON(w, http.StatusOK, map[string]any{"deliveries": deliveries, "attempts": attempts})
}

func (a *API) resendWebhookDelivery(w http.ResponseWriter, r *http.Request, caller string) {
	if !a.webhooksOn(w) {
		return
	}
	delivery, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "No such delivery.")
		return
	}
	err = a.cfg.Webhooks.Resend(r.Context(), ByClient(caller), r.PathValue("id"), delivery)
	if webhookRefused(w, err) || a.notFound(w, r, err, "webhook or delivery") {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
