package consoleurl

import (
	"net/url"
	"strconv"
)

// Webhooks is the console's list of webhook subscriptions.
func Webhooks() string { return "/admin/webhooks" }

// Webhook is the console's page of a webhook subscription.
func Webhook(id string) string { return Webhooks() + "/" + url.PathEscape(id) }

// WebhookResend is the console's address that sends a delivery of a
// subscription again.
func WebhookResend(id string, delivery int64) string {
	return Webhook(id) + "/deliveries/" + strconv.FormatInt(delivery, 10) + "/resend"
}
