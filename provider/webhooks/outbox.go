package webhooks

import (
	"context"
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// OutboxStore is what the Outbox needs of storage.
type OutboxStore interface {
	ListWebhooks(ctx context.Context) ([]storage.WebhookSubscription, error)
	QueueWebhookMessages(ctx context.Context, ms []storage.WebhookMessage) error
}

// Outbox queues the messages of each authorization record
// (audit.Outbox): hand it to audit.RecorderConfig.Outbox.
type Outbox struct {
	store OutboxStore
}

// NewOutbox returns the outbox over store.
func NewOutbox(store OutboxStore) *Outbox { return &Outbox{store: store} }

// Queues implements audit.Outbox: whether a record of action may be an
// event.
func (o *Outbox) Queues(action string) bool {
	_, ok := eventTypeOf(action)
	return ok
}

// Enqueue implements audit.Outbox: one message of rec's event for each
// enabled subscription that takes it, in the transaction ctx carries.
func (o *Outbox) Enqueue(ctx context.Context, rec storage.AuditRecord) error {
	typ, ok := EventOf(rec)
	if !ok {
		return nil
	}
	subs, err := o.store.ListWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: list subscriptions: %w", err)
	}
	var ms []storage.WebhookMessage
	var body []byte
	for _, s := range subs {
		if !Takes(s, typ, rec) {
			continue
		}
		if body == nil {
			if body, err = payloadOf(typ, rec); err != nil {
				return fmt.Errorf("webhooks: payload of %s: %w", rec.Action, err)
			}
		}
		ms = append(ms, storage.WebhookMessage{SubscriptionID: s.ID, MessageID: newMessageID(), EventType: typ,
			Payload: body, CreatedAt: rec.Time})
	}
	if len(ms) == 0 {
		return nil
	}
	if err := o.store.QueueWebhookMessages(ctx, ms); err != nil {
		return fmt.Errorf("webhooks: queue %s: %w", typ, err)
	}
	return nil
}

// Takes reports whether subscription s is sent event typ of rec: it is
// enabled, takes the type (or every type), and is the platform's or
// belongs to the app rec names.
func Takes(s storage.WebhookSubscription, typ string, rec storage.AuditRecord) bool {
	return !s.Disabled &&
		(len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, typ)) &&
		(s.ClientID == "" || s.ClientID == rec.ClientID)
}

// newMessageID returns a fresh webhook-id.
func newMessageID() string { return "msg_" + secret.Random(18) }
