package web

import (
	"net/http"
	"time"
)

// webhookHandlerKeys are the keys the console's webhook pages pass:
// notices, errors, the delivery states and the confirmations' texts.
func webhookHandlerKeys() []string {
	return []string{
		"admin.notice_webhook_created", "admin.notice_webhook_saved", "admin.notice_webhook_rotated", "admin.notice_webhook_deleted",
		"admin.notice_webhook_resent",
		"admin.error_webhook_url", "admin.error_webhook_events", "admin.error_webhook_description", "admin.error_webhook_app",
		"admin.error_webhook_queued",
		"admin.webhook_state_pending", "admin.webhook_state_delivered", "admin.webhook_state_failed",
		"admin.confirm_webhook_rotate_text", "admin.confirm_webhook_delete_text", "admin.confirm_webhook_resend_text",
		"admin.submit_webhook_rotate", "admin.submit_webhook_delete", "admin.submit_webhook_resend",
	}
}

// webhookHandlerArgKeys are the webhook confirmations' headings: each
// takes the subscription's URL or the message's ID.
func webhookHandlerArgKeys() []string {
	return []string{"admin.confirm_webhook_rotate_heading", "admin.confirm_webhook_delete_heading", "admin.confirm_webhook_resend_heading"}
}

var testEvents = []string{"user.created", "user.disabled", "user.deleted", "session.ended", "grant.given", "grant.withdrawn", "app.secret_rotated", "token.family_revoked"}

// webhookPageCases are the console's webhook pages.
func webhookPageCases() []pageCase {
	hook := AdminWebhook{ID: "wh_3kq9x2", URL: "https://crm.example.com/hooks/tokenim", EventTypes: []string{"user.created", "user.disabled"},
		Description: "CRM sync", CreatedAt: testT0.Add(-48 * time.Hour), UpdatedAt: testT0}
	app := AdminWebhook{ID: "wh_7m2b8p", ClientID: "app-7hq2k4", URL: "http://127.0.0.1:8080/in", Disabled: true, CreatedAt: testT0}
	return []pageCase{
		{"admin_webhooks", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWebhooks(w, req, http.StatusOK, AdminWebhooksPage{CSRFToken: testCSRF, Webhooks: []AdminWebhook{hook, app},
				EventTypes: testEvents, Notice: "admin.notice_webhook_deleted"})
		}},
		{"admin_webhooks_refused", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWebhooks(w, req, http.StatusBadRequest, AdminWebhooksPage{CSRFToken: testCSRF, EventTypes: testEvents,
				Form: AdminWebhookForm{URL: "http://crm.example.com/in", EventTypes: []string{"grant.given"}}, Error: "admin.error_webhook_url"})
		}},
		{"admin_webhook", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			h := hook
			h.PreviousUntil = testT0.Add(24 * time.Hour)
			return r.AdminWebhook(w, req, http.StatusOK, AdminWebhookPage{CSRFToken: testCSRF, Webhook: h, EventTypes: testEvents,
				NewSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Notice: "admin.notice_webhook_rotated",
				Deliveries: []AdminWebhookDelivery{
					{ID: 12, MessageID: "msg_2x8kq", EventType: "user.disabled", State: "pending", Attempts: 2, CreatedAt: testT0, NextAttemptAt: testT0.Add(10 * time.Second)},
					{ID: 11, MessageID: "msg_9p3mz", EventType: "user.created", State: "delivered", Attempts: 1, CreatedAt: testT0.Add(-time.Hour)},
					{ID: 10, MessageID: "msg_4b7tw", EventType: "user.created", State: "failed", Attempts: 8, CreatedAt: testT0.Add(-2 * time.Hour)},
				},
				Attempts: []AdminWebhookAttempt{
					{Delivery: 12, Attempt: 2, At: testT0.Add(5 * time.Second), Status: 500, ErrorClass: "http_status", Duration: 42 * time.Millisecond},
					{Delivery: 11, Attempt: 1, At: testT0.Add(-time.Hour), Status: 204, Duration: 8 * time.Millisecond},
				}})
		}},
		{"admin_webhook_new", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWebhook(w, req, http.StatusOK, AdminWebhookPage{CSRFToken: testCSRF, Webhook: app, EventTypes: testEvents})
		}},
	}
}
