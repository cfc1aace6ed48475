package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's webhook pages, for platform administrators: the
// subscriptions and the form adding one, a subscription's page (its
// settings, recent deliveries and log), and its changes (rotate, delete,
// a delivery sent again), each through the webhook service, recorded
// with the administrator as actor. A secret is shown once, on the page
// the creation or the rotation answers with.

// adminWebhook describes a subscription for its page.
func adminWebhook(w storage.WebhookSubscription) web.AdminWebhook {
	out := web.AdminWebhook{ID: w.ID, ClientID: w.ClientID, URL: w.URL, EventTypes: w.EventTypes, Description: w.Description,
		Disabled: w.Disabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if w.PreviousSealedSecret != nil {
		out.PreviousUntil = w.PreviousUntil
	}
	return out
}

// webhookProblem is the message key of a refused webhook change; ok is
// false for an error that is the server's fault.
func webhookProblem(err error) (status int, key string, ok bool) {
	var p *webhooks.Problem
	switch {
	case errors.As(err, &p) && p.Field == "url":
		return http.StatusBadRequest, "admin.error_webhook_url", true
	case errors.As(err, &p) && p.Field == "event_types":
		return http.StatusBadRequest, "admin.error_webhook_events", true
	case errors.As(err, &p):
		return http.StatusBadRequest, "admin.error_webhook_description", true
	case errors.Is(err, webhooks.ErrStillQueued):
		return http.StatusConflict, "admin.error_webhook_queued", true
	case errors.Is(err, storage.ErrInvalidInput):
		return http.StatusBadRequest, "admin.error_webhook_description", true
	}
	return problem(err)
}

// webhookForm reads a posted subscription form.
func webhookForm(r *http.Request) webhooks.Input {
	_ = r.ParseForm()
	return webhooks.Input{URL: strings.TrimSpace(r.PostFormValue("url")), ClientID: strings.TrimSpace(r.PostFormValue("client_id")),
		Description: r.PostFormValue("description"), EventTypes: r.PostForm["event_types"], Disabled: r.PostFormValue("disabled") == "true"}
}

// webhooksOn answers the not-found page and false when no webhook
// service is configured.
func (c *Console) webhooksOn(w http.ResponseWriter, r *http.Request) bool {
	if c.api.cfg.Webhooks == nil {
		c.refuse(w, r, "webhooks", storage.ErrNotFound)
		return false
	}
	return true
}

// renderWebhooks renders the list of subscriptions with p's notice or
// error and form.
func (c *Console) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, p web.AdminWebhooksPage) {
	list, err := c.api.cfg.Webhooks.List(r.Context(), "")
	if err != nil {
		c.fail(w, r, "list webhooks", err)
		return
	}
	for _, h := range list {
		p.Webhooks = append(p.Webhooks, adminWebhook(h))
	}
	p.CSRFToken, p.EventTypes = session.CSRFToken(r), webhooks.EventTypes()
	c.rendered(w, r, "webhooks", c.cfg.Pages.AdminWebhooks(w, r, status, p))
}

func (c *Console) webhooks(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if c.webhooksOn(w, r) {
		c.renderWebhooks(w, r, http.StatusOK, web.AdminWebhooksPage{Notice: notice(r)})
	}
}

// createWebhook adds a subscription and shows its page with the secret,
// this once.
func (c *Console) createWebhook(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	in := webhookForm(r)
	in.Disabled = false
	sub, secret, err := c.api.cfg.Webhooks.Create(r.Context(), ByUser(s.User.ID), in)
	if err != nil {
		status, key, ok := webhookProblem(err)
		if errors.Is(err, storage.ErrNotFound) {
			status, key, ok = http.StatusBadRequest, "admin.error_webhook_app", true
		}
		if !ok {
			c.fail(w, r, "create webhook", err)
			return
		}
		c.renderWebhooks(w, r, status, web.AdminWebhooksPage{Error: key,
			Form: web.AdminWebhookForm{URL: in.URL, ClientID: in.ClientID, Description: in.Description, EventTypes: in.EventTypes}})
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin created a webhook", "admin_user_id", s.User.ID, "webhook", sub.ID, "client_id", sub.ClientID)
	c.renderWebhook(w, r, http.StatusCreated, sub, web.AdminWebhookPage{NewSecret: secret, Notice: "admin.notice_webhook_created"})
}

// renderWebhook renders a subscription's page with its deliveries and
// log.
func (c *Console) renderWebhook(w http.ResponseWriter, r *http.Request, status int, sub storage.WebhookSubscription, p web.AdminWebhookPage) {
	ms, as, err := c.api.cfg.Webhooks.Deliveries(r.Context(), sub.ID, deliveriesLimit)
	if err != nil {
		c.fail(w, r, "list webhook deliveries", err)
		return
	}
	for _, m := range ms {
		d := web.AdminWebhookDelivery{ID: m.ID, MessageID: m.MessageID, EventType: m.EventType, State: m.State, Attempts: m.Attempts, CreatedAt: m.CreatedAt}
		if m.State == storage.WebhookPending {
			d.NextAttemptAt = m.DueAt
		}
		p.Deliveries = append(p.Deliveries, d)
	}
	for _, a := range as {
		p.Attempts = append(p.Attempts, web.AdminWebhookAttempt{Delivery: a.Delivery, Attempt: a.Attempt, At: a.At, Status: a.Status,
			ErrorClass: a.ErrorClass, Duration: a.Duration})
	}
	p.CSRFToken, p.EventTypes, p.Webhook = session.CSRFToken(r), webhooks.EventTypes(), adminWebhook(sub)
	c.rendered(w, r, "webhook", c.cfg.Pages.AdminWebhook(w, r, status, p))
}

func (c *Console) webhook(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	sub, err := c.api.cfg.Webhooks.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load webhook", err)
		return
	}
	c.renderWebhook(w, r, http.StatusOK, sub, web.AdminWebhookPage{Notice: notice(r)})
}

// saveWebhook changes a subscription's URL, event types, description and
// whether it is disabled.
func (c *Console) saveWebhook(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	id := r.PathValue("id")
	_, err := c.api.cfg.Webhooks.Update(r.Context(), ByUser(s.User.ID), id, webhookForm(r))
	if err != nil {
		status, key, ok := webhookProblem(err)
		sub, gerr := c.api.cfg.Webhooks.Get(r.Context(), id)
		if !ok || gerr != nil || status == http.StatusNotFound {
			c.refuse(w, r, "save webhook", err)
			return
		}
		c.renderWebhook(w, r, status, sub, web.AdminWebhookPage{Error: key})
		return
	}
	seeOther(w, r, consoleurl.Webhook(id), "webhook-saved")
}

// webhookActions are the changes of a subscription confirmed first.
func webhookActions() map[string]web.AdminConfirmPage {
	return map[string]web.AdminConfirmPage{
		"rotate": {Heading: "admin.confirm_webhook_rotate_heading", Text: "admin.confirm_webhook_rotate_text", Submit: "admin.submit_webhook_rotate"},
		"delete": {Heading: "admin.confirm_webhook_delete_heading", Text: "admin.confirm_webhook_delete_text", Submit: "admin.submit_webhook_delete", Danger: true},
	}
}

func (c *Console) confirmWebhookChange(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	p, ok := webhookActions()[r.PathValue("action")]
	if !ok {
		c.refuse(w, r, "webhook action", storage.ErrNotFound)
		return
	}
	sub, err := c.api.cfg.Webhooks.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load webhook", err)
		return
	}
	back := consoleurl.Webhook(sub.ID)
	p.Target, p.Action, p.CancelURL, p.Nav = sub.URL, back+"/"+r.PathValue("action"), back, "webhooks"
	c.confirm(w, r, p)
}

// changeWebhook rotates a subscription's secret (its page then shows the
// new one, this once) or deletes it, once confirmed.
func (c *Console) changeWebhook(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	ctx, by, id := r.Context(), ByUser(s.User.ID), r.PathValue("id")
	switch r.PathValue("action") {
	case "rotate":
		sub, secret, err := c.api.cfg.Webhooks.RotateSecret(ctx, by, id)
		if err != nil {
			c.refuse(w, r, "rotate webhook secret", err)
			return
		}
		c.api.cfg.Logger.InfoContext(ctx, "admin rotated a webhook secret", "admin_user_id", s.User.ID, "webhook", id)
		c.renderWebhook(w, r, http.StatusOK, sub, web.AdminWebhookPage{NewSecret: secret, Notice: "admin.notice_webhook_rotated"})
	case "delete":
		if err := c.api.cfg.Webhooks.Delete(ctx, by, id); err != nil {
			c.refuse(w, r, "delete webhook", err)
			return
		}
		seeOther(w, r, consoleurl.Webhooks(), "webhook-deleted")
	default:
		c.refuse(w, r, "webhook action", storage.ErrNotFound)
	}
}

func (c *Console) confirmResend(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	id := r.PathValue("id")
	delivery, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		c.refuse(w, r, "find delivery", storage.ErrNotFound)
		return
	}
	ms, _, err := c.api.cfg.Webhooks.Deliveries(r.Context(), id, deliveriesLimit)
	if err != nil {
		c.fail(w, r, "list webhook deliveries", err)
		return
	}
	for _, m := range ms {
		if m.ID == delivery {
			back := consoleurl.Webhook(id)
			c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_webhook_resend_heading", Text: "admin.confirm_webhook_resend_text",
				Target: m.MessageID, Items: []string{m.EventType}, Submit: "admin.submit_webhook_resend",
				Action: consoleurl.WebhookResend(id, delivery), CancelURL: back, Nav: "webhooks"})
			return
		}
	}
	c.refuse(w, r, "find delivery", storage.ErrNotFound)
}

func (c *Console) resend(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.webhooksOn(w, r) {
		return
	}
	id := r.PathValue("id")
	delivery, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err == nil {
		err = c.api.cfg.Webhooks.Resend(r.Context(), ByUser(s.User.ID), id, delivery)
	} else {
		err = storage.ErrNotFound
	}
	if err != nil {
		status, key, ok := webhookProblem(err)
		if !ok {
			c.fail(w, r, "resend webhook message", err)
			return
		}
		c.message(w, r, status, key, "admin.nav_webhooks", consoleurl.Webhook(id))
		return
	}
	seeOther(w, r, consoleurl.Webhook(id), "webhook-resent")
}
