package storage

import (
	"context"
	"slices"
	"time"
)

// WebhookSubscription is an endpoint that is sent identity events
// (provider/webhooks): the platform's, seeing every event, or one app's,
// seeing the events about itself.
type WebhookSubscription struct {
	// ID names the subscription ("wh_…").
	ID string
	// ClientID is the app that owns the subscription; empty for one of
	// the platform. Deleting the app deletes its subscriptions.
	ClientID string
	// URL receives the deliveries (a POST each).
	URL string
	// EventTypes are the event types sent; empty means every one.
	EventTypes []string
	// Description is the admin's note.
	Description string
	// Disabled subscriptions are queued nothing.
	Disabled bool
	// SealedSecret is the signing secret, sealed under the system secret;
	// the store never sees it in the clear.
	SealedSecret []byte
	// PreviousSealedSecret is the secret before the last rotation, still
	// signing beside the new one until PreviousUntil; nil when none.
	PreviousSealedSecret []byte
	PreviousUntil        time.Time
	CreatedAt, UpdatedAt time.Time
}

// Clone returns a copy of w that shares no slices with it.
func (w WebhookSubscription) Clone() WebhookSubscription {
	w.EventTypes = slices.Clone(w.EventTypes)
	w.SealedSecret = slices.Clone(w.SealedSecret)
	w.PreviousSealedSecret = slices.Clone(w.PreviousSealedSecret)
	return w
}

// States of a WebhookMessage.
const (
	WebhookPending   = "pending"   // queued: due at DueAt, or being sent
	WebhookDelivered = "delivered" // the endpoint answered 2xx
	WebhookFailed    = "failed"    // given up
)

// WebhookMessage is one event queued for one subscription: the outbox row
// while it is pending, then the record of how it ended, which the console
// lists and can send again. It holds no secret: the payload is signed at
// each attempt.
type WebhookMessage struct {
	// ID orders messages by when they were queued; the store assigns it.
	ID             int64
	SubscriptionID string
	// MessageID is the webhook-id header: the same at every attempt and
	// resend, for the receiver to drop duplicates.
	MessageID string
	EventType string
	// Payload is the JSON body sent, byte for byte.
	Payload   []byte
	CreatedAt time.Time
	// State is one of WebhookPending, WebhookDelivered, WebhookFailed.
	State string
	// Attempts counts the sends begun, this one included once claimed.
	Attempts int
	// DueAt is when a pending message may next be sent; zero means at once.
	DueAt time.Time
}

// WebhookAttempt is how one send of a message ended, in the log of its
// subscription.
type WebhookAttempt struct {
	// ID orders the log; the store assigns it.
	ID             int64
	SubscriptionID string
	// Delivery is the WebhookMessage's ID.
	Delivery int64
	Attempt  int
	At       time.Time
	// Status is the HTTP status answered; 0 when none.
	Status int
	// ErrorClass says why the attempt failed ("http_status", "network",
	// ...); empty when it succeeded.
	ErrorClass string
	Duration   time.Duration
}

// Webhooks keeps the webhook subscriptions, the outbox of their messages
// and the log of the attempts to send them.
//
// Messages are queued by QueueWebhookMessages in the caller's transaction
// (the one recording the event), so an event that rolls back queues
// nothing. Deleting a subscription deletes its messages and log.
type Webhooks interface {
	// CreateWebhook stores w. ErrAlreadyExists if its ID is taken,
	// ErrNotFound if w.ClientID names no client.
	CreateWebhook(ctx context.Context, w WebhookSubscription) error
	// GetWebhook returns the subscription; ErrNotFound if absent.
	GetWebhook(ctx context.Context, id string) (WebhookSubscription, error)
	// ListWebhooks returns every subscription, by ID.
	ListWebhooks(ctx context.Context) ([]WebhookSubscription, error)
	// UpdateWebhook replaces the subscription with what fn makes of it,
	// with no other update in between (its ID and ClientID stay); fn's
	// error is returned as is. ErrNotFound if absent.
	UpdateWebhook(ctx context.Context, id string, fn func(WebhookSubscription) (WebhookSubscription, error)) (WebhookSubscription, error)
	// DeleteWebhook removes the subscription, its messages and its log.
	// ErrNotFound if absent.
	DeleteWebhook(ctx context.Context, id string) error

	// QueueWebhookMessages queues ms, pending and due at once (their ID,
	// State, Attempts and DueAt are ignored). ErrNotFound if one names no
	// subscription.
	QueueWebhookMessages(ctx context.Context, ms []WebhookMessage) error
	// ClaimWebhookMessages takes up to limit pending messages due at now
	// (DueAt zero or not after now), oldest first, for one sender: each
	// taken message's Attempts goes up by one and its DueAt becomes
	// now+lease, so no other caller takes it until the lease ends.
	// Concurrent calls never return the same message: one skips what
	// another is taking rather than wait for it. A limit below 1 is an
	// error.
	ClaimWebhookMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookMessage, error)
	// RescheduleWebhookMessage makes a pending message due again at due.
	// ErrNotFound if absent or not pending.
	RescheduleWebhookMessage(ctx context.Context, id int64, due time.Time) error
	// FinishWebhookMessage sets a pending message's state to state
	// (WebhookDelivered or WebhookFailed) and keeps, of its subscription's
	// finished messages, the newest keep. ErrNotFound if absent or not
	// pending (finished by another sender whose lease had run out).
	FinishWebhookMessage(ctx context.Context, id int64, state string, keep int) error
	// ResendWebhookMessage queues a finished message of the subscription
	// again: pending, no attempts, due at now. ErrNotFound if the
	// subscription has no such message, ErrConflict if it is pending.
	ResendWebhookMessage(ctx context.Context, subscriptionID string, id int64, now time.Time) error
	// ListWebhookMessages returns the subscription's newest messages,
	// newest first, at most limit.
	ListWebhookMessages(ctx context.Context, subscriptionID string, limit int) ([]WebhookMessage, error)

	// RecordWebhookAttempt appends a to its subscription's log and keeps
	// the newest keep entries. ErrNotFound if its message is gone.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt, keep int) error
	// ListWebhookAttempts returns the subscription's newest log entries,
	// newest first, at most limit.
	ListWebhookAttempts(ctx context.Context, subscriptionID string, limit int) ([]WebhookAttempt, error)
}
