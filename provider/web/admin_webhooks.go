package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// The console's pages of the webhook subscriptions (provider/admin): the
// list with the form adding one, and a subscription's page.
const (
	pageAdminWebhooks = "admin_webhooks"
	pageAdminWebhook  = "admin_webhook"
)

// AdminWebhook is a webhook subscription as the console shows it: never
// its secret.
type AdminWebhook struct {
	ID string
	// ClientID is the app it belongs to; empty for the platform's.
	ClientID    string
	URL         string
	EventTypes  []string
	Description string
	Disabled    bool
	// PreviousUntil is when the secret before the last rotation stops
	// signing; zero when none does.
	PreviousUntil        time.Time
	CreatedAt, UpdatedAt time.Time
}

// AdminWebhookForm is what the form adding a subscription was sent with,
// shown again with a refusal.
type AdminWebhookForm struct {
	URL, ClientID, Description string
	EventTypes                 []string
}

// AdminWebhooksPage is the view of the subscriptions (GET
// /admin/webhooks).
type AdminWebhooksPage struct {
	UILocales string
	CSRFToken string
	Webhooks  []AdminWebhook
	// EventTypes are the types a subscription may take.
	EventTypes []string
	Form       AdminWebhookForm
	Notice     string
	Error      string
}

type adminWebhooksView struct {
	meta
	AdminWebhooksPage
	adminBase
	Rows   []adminWebhookRow
	Events []adminEventChoice
}

type adminWebhookRow struct {
	AdminWebhook
	Link string
}

// adminEventChoice is an event type's box in a form.
type adminEventChoice struct {
	Type, ID string
	Checked  bool
}

func eventChoices(all, checked []string) []adminEventChoice {
	out := make([]adminEventChoice, 0, len(all))
	for i, t := range all {
		out = append(out, adminEventChoice{Type: t, ID: "event-" + strconv.Itoa(i), Checked: slices.Contains(checked, t)})
	}
	return out
}

// AdminWebhooks renders the list of subscriptions.
func (r *Renderer) AdminWebhooks(w http.ResponseWriter, req *http.Request, status int, p AdminWebhooksPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminWebhooksView{meta: r.meta(loc), AdminWebhooksPage: p, adminBase: r.adminBase(req, loc, "webhooks", p.Notice, p.Error),
		Events: eventChoices(p.EventTypes, p.Form.EventTypes)}
	for _, h := range p.Webhooks {
		v.Rows = append(v.Rows, adminWebhookRow{AdminWebhook: h, Link: consoleurl.Webhook(h.ID)})
	}
	return r.render(w, req, status, pageAdminWebhooks, loc, v)
}

// AdminWebhookDelivery is a message of a subscription as the console
// shows it.
type AdminWebhookDelivery struct {
	ID        int64
	MessageID string
	EventType string
	// State is "pending", "delivered" or "failed".
	State     string
	Attempts  int
	CreatedAt time.Time
	// NextAttemptAt is when a pending message is sent next.
	NextAttemptAt time.Time
}

// AdminWebhookAttempt is an entry of a subscription's log.
type AdminWebhookAttempt struct {
	Delivery   int64
	Attempt    int
	At         time.Time
	Status     int
	ErrorClass string
	Duration   time.Duration
}

// AdminWebhookPage is the view of a subscription (GET
// /admin/webhooks/{id}): its settings and form, its recent messages and
// log.
type AdminWebhookPage struct {
	UILocales  string
	CSRFToken  string
	Webhook    AdminWebhook
	EventTypes []string
	// NewSecret is the secret just made or rotated, shown this once.
	NewSecret  string
	Deliveries []AdminWebhookDelivery
	Attempts   []AdminWebhookAttempt
	Notice     string
	Error      string
}

type adminWebhookView struct {
	meta
	AdminWebhookPage
	adminBase
	Action                          string
	Created, CreatedISO             string
	Updated, UpdatedISO             string
	PreviousUntil, PreviousUntilISO string
	Events                          []adminEventChoice
	DeliveryRows                    []adminDeliveryRow
	AttemptRows                     []adminAttemptRow
}

type adminDeliveryRow struct {
	AdminWebhookDelivery
	When, WhenISO string
	Next, NextISO string
	StateText     string
	ResendURL     string
}

type adminAttemptRow struct {
	AdminWebhookAttempt
	When, WhenISO string
	Millis        string
}

// AdminWebhook renders a subscription's page.
func (r *Renderer) AdminWebhook(w http.ResponseWriter, req *http.Request, status int, p AdminWebhookPage) error {
	loc := r.Locale(req, p.UILocales)
	ctx := req.Context()
	h := p.Webhook
	v := adminWebhookView{meta: r.meta(loc), AdminWebhookPage: p, adminBase: r.adminBase(req, loc, "webhooks", p.Notice, p.Error),
		Action: consoleurl.Webhook(h.ID), Events: eventChoices(p.EventTypes, h.EventTypes)}
	v.Created, v.CreatedISO = formatTime(h.CreatedAt)
	v.Updated, v.UpdatedISO = formatTime(h.UpdatedAt)
	v.PreviousUntil, v.PreviousUntilISO = formatTime(h.PreviousUntil)
	for _, d := range p.Deliveries {
		row := adminDeliveryRow{AdminWebhookDelivery: d, StateText: r.message(ctx, loc, "state", "admin.webhook_state_"+d.State)}
		row.When, row.WhenISO = formatTime(d.CreatedAt)
		if d.State == "pending" {
			row.Next, row.NextISO = formatTime(d.NextAttemptAt)
		} else {
			row.ResendURL = consoleurl.WebhookResend(h.ID, d.ID)
		}
		v.DeliveryRows = append(v.DeliveryRows, row)
	}
	for _, a := range p.Attempts {
		row := adminAttemptRow{AdminWebhookAttempt: a, Millis: strconv.FormatInt(a.Duration.Milliseconds(), 10)}
		row.When, row.WhenISO = formatTime(a.At)
		v.AttemptRows = append(v.AttemptRows, row)
	}
	return r.render(w, req, status, pageAdminWebhook, loc, v)
}

// webhookSamples are the webhook pages' sample views, rendered at
// start-up.
func webhookSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	h := AdminWebhook{ID: s, ClientID: s, URL: s, EventTypes: []string{s}, Description: s, Disabled: true}
	events := []adminEventChoice{{Type: s, ID: s, Checked: true}, {Type: s, ID: s}}
	switch page {
	case pageAdminWebhooks:
		return []any{adminWebhooksView{meta: m}, adminWebhooksView{meta: m, adminBase: base, Events: events,
			Rows: []adminWebhookRow{{AdminWebhook: h, Link: s}, {}}}}
	case pageAdminWebhook:
		return []any{adminWebhookView{meta: m}, adminWebhookView{meta: m, adminBase: base, AdminWebhookPage: AdminWebhookPage{Webhook: h, NewSecret: s},
			Action: s, Created: s, Updated: s, PreviousUntil: s, Events: events,
			DeliveryRows: []adminDeliveryRow{{AdminWebhookDelivery: AdminWebhookDelivery{State: "pending"}, Next: s}, {ResendURL: s, StateText: s}},
			AttemptRows:  []adminAttemptRow{{AdminWebhookAttempt: AdminWebhookAttempt{Status: 500, ErrorClass: s}, When: s}, {}}}}
	}
	return nil
}
