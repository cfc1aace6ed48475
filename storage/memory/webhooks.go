package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// webhookMaps holds the webhook subscriptions, their messages and the log
// of attempts.
type webhookMaps struct {
	subs     map[string]storage.WebhookSubscription
	messages map[int64]storage.WebhookMessage
	attempts map[int64]storage.WebhookAttempt
	// lastMessage and lastAttempt are the IDs handed out last.
	lastMessage, lastAttempt int64
}

func newWebhookMaps() webhookMaps {
	return webhookMaps{
		subs:     map[string]storage.WebhookSubscription{},
		messages: map[int64]storage.WebhookMessage{},
		attempts: map[int64]storage.WebhookAttempt{},
	}
}

func cloneMessage(m storage.WebhookMessage) storage.WebhookMessage {
	m.Payload = slices.Clone(m.Payload)
	return m
}

// deleteWebhooksWhere deletes the subscriptions match selects, with their
// messages and log.
func (s *Store) deleteWebhooksWhere(t *txn, match func(storage.WebhookSubscription) bool) {
	gone := map[string]bool{}
	for id, w := range s.webhooks.subs {
		if match(w) {
			gone[id] = true
		}
	}
	delWhere(t, s.webhooks.subs, func(id string, _ storage.WebhookSubscription) bool { return gone[id] })
	delWhere(t, s.webhooks.messages, func(_ int64, m storage.WebhookMessage) bool { return gone[m.SubscriptionID] })
	delWhere(t, s.webhooks.attempts, func(_ int64, a storage.WebhookAttempt) bool { return gone[a.SubscriptionID] })
}

// CreateWebhook implements storage.Webhooks.
func (s *Store) CreateWebhook(ctx context.Context, w storage.WebhookSubscription) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.webhooks.subs[w.ID]; ok {
			return exists("create webhook", w.ID)
		}
		if _, ok := s.clients[w.ClientID]; w.ClientID != "" && !ok {
			return notFound("create webhook "+w.ID+": client", w.ClientID)
		}
		put(t, s.webhooks.subs, w.ID, w.Clone())
		return nil
	})
}

// GetWebhook implements storage.Webhooks.
func (s *Store) GetWebhook(ctx context.Context, id string) (storage.WebhookSubscription, error) {
	var w storage.WebhookSubscription
	err := s.do(ctx, func(*txn) error {
		got, ok := s.webhooks.subs[id]
		if !ok {
			return notFound("get webhook", id)
		}
		w = got.Clone()
		return nil
	})
	return w, err
}

// ListWebhooks implements storage.Webhooks.
func (s *Store) ListWebhooks(ctx context.Context) ([]storage.WebhookSubscription, error) {
	var out []storage.WebhookSubscription
	err := s.do(ctx, func(*txn) error {
		for _, w := range s.webhooks.subs {
			out = append(out, w.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.WebhookSubscription) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// UpdateWebhook implements storage.Webhooks.
func (s *Store) UpdateWebhook(ctx context.Context, id string, fn func(storage.WebhookSubscription) (storage.WebhookSubscription, error)) (storage.WebhookSubscription, error) {
	var next storage.WebhookSubscription
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.webhooks.subs[id]
		if !ok {
			return notFound("update webhook", id)
		}
		var err error
		if next, err = fn(old.Clone()); err != nil {
			return err
		}
		next.ID, next.ClientID = old.ID, old.ClientID
		put(t, s.webhooks.subs, id, next.Clone())
		return nil
	})
	if err != nil {
		return storage.WebhookSubscription{}, err
	}
	return next, nil
}

// DeleteWebhook implements storage.Webhooks.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.webhooks.subs[id]; !ok {
			return notFound("delete webhook", id)
		}
		s.deleteWebhooksWhere(t, func(w storage.WebhookSubscription) bool { return w.ID == id })
		return nil
	})
}

// QueueWebhookMessages implements storage.Webhooks.
func (s *Store) QueueWebhookMessages(ctx context.Context, ms []storage.WebhookMessage) error {
	return s.do(ctx, func(t *txn) error {
		for _, m := range ms {
			if _, ok := s.webhooks.subs[m.SubscriptionID]; !ok {
				return notFound("queue webhook message: subscription", m.SubscriptionID)
			}
			s.webhooks.lastMessage++
			m.ID, m.State, m.Attempts, m.DueAt = s.webhooks.lastMessage, storage.WebhookPending, 0, time.Time{}
			put(t, s.webhooks.messages, m.ID, cloneMessage(m))
		}
		return nil
	})
}

// ClaimWebhookMessages implements storage.Webhooks; the store's mutex
// makes concurrent claims take turns.
func (s *Store) ClaimWebhookMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.WebhookMessage, error) {
	if limit < 1 {
		return nil, fmt.Errorf("memory: claim webhook messages: limit %d below 1", limit)
	}
	var out []storage.WebhookMessage
	err := s.do(ctx, func(t *txn) error {
		for _, m := range s.webhooks.messages {
			if m.State == storage.WebhookPending && (m.DueAt.IsZero() || !m.DueAt.After(now)) {
				out = append(out, m)
			}
		}
		slices.SortFunc(out, func(a, b storage.WebhookMessage) int { return cmp.Compare(a.ID, b.ID) })
		if len(out) > limit {
			out = out[:limit]
		}
		for i := range out {
			out[i].Attempts++
			out[i].DueAt = now.Add(lease)
			put(t, s.webhooks.messages, out[i].ID, out[i])
			out[i] = cloneMessage(out[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pending returns the pending message id, or ErrNotFound.
func (s *Store) pending(what string, id int64) (storage.WebhookMessage, error) {
	m, ok := s.webhooks.messages[id]
	if !ok || m.State != storage.WebhookPending {
		return m, notFound(what, fmt.Sprint(id))
	}
	return m, nil
}

// RescheduleWebhookMessage implements storage.Webhooks.
func (s *Store) RescheduleWebhookMessage(ctx context.Context, id int64, due time.Time) error {
	return s.do(ctx, func(t *txn) error {
		m, err := s.pending("reschedule webhook message", id)
		if err != nil {
			return err
		}
		m.DueAt = due
		put(t, s.webhooks.messages, id, m)
		return nil
	})
}

// FinishWebhookMessage implements storage.Webhooks.
func (s *Store) FinishWebhookMessage(ctx context.Context, id int64, state string, keep int) error {
	if state != storage.WebhookDelivered && state != storage.WebhookFailed {
		return fmt.Errorf("memory: finish webhook message %d: state %q: %w", id, state, storage.ErrInvalidInput)
	}
	return s.do(ctx, func(t *txn) error {
		m, err := s.pending("finish webhook message", id)
		if err != nil {
			return err
		}
		m.State, m.DueAt = state, time.Time{}
		put(t, s.webhooks.messages, id, m)
		var done []int64
		for mid, o := range s.webhooks.messages {
			if o.SubscriptionID == m.SubscriptionID && o.State != storage.WebhookPending {
				done = append(done, mid)
			}
		}
		slices.Sort(done)
		for _, mid := range done[:max(0, len(done)-max(keep, 0))] {
			del(t, s.webhooks.messages, mid)
			delWhere(t, s.webhooks.attempts, func(_ int64, a storage.WebhookAttempt) bool { return a.Delivery == mid })
		}
		return nil
	})
}

// ResendWebhookMessage implements storage.Webhooks.
func (s *Store) ResendWebhookMessage(ctx context.Context, subscriptionID string, id int64, now time.Time) error {
	return s.do(ctx, func(t *txn) error {
		m, ok := s.webhooks.messages[id]
		if !ok || m.SubscriptionID != subscriptionID {
			return notFound("resend webhook message", fmt.Sprint(id))
		}
		if m.State == storage.WebhookPending {
			return fmt.Errorf("memory: resend webhook message %d: still pending: %w", id, storage.ErrConflict)
		}
		m.State, m.Attempts, m.DueAt = storage.WebhookPending, 0, now
		put(t, s.webhooks.messages, id, m)
		return nil
	})
}

// ListWebhookMessages implements storage.Webhooks.
func (s *Store) ListWebhookMessages(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookMessage, error) {
	var out []storage.WebhookMessage
	err := s.do(ctx, func(*txn) error {
		for _, m := range s.webhooks.messages {
			if m.SubscriptionID == subscriptionID {
				out = append(out, cloneMessage(m))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.WebhookMessage) int { return cmp.Compare(b.ID, a.ID) })
	return out[:min(len(out), max(limit, 0))], err
}

// RecordWebhookAttempt implements storage.Webhooks.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a storage.WebhookAttempt, keep int) error {
	return s.do(ctx, func(t *txn) error {
		m, ok := s.webhooks.messages[a.Delivery]
		if !ok {
			return notFound("record webhook attempt of message", fmt.Sprint(a.Delivery))
		}
		s.webhooks.lastAttempt++
		a.ID, a.SubscriptionID = s.webhooks.lastAttempt, m.SubscriptionID
		put(t, s.webhooks.attempts, a.ID, a)
		var ids []int64
		for id, o := range s.webhooks.attempts {
			if o.SubscriptionID == a.SubscriptionID {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids[:max(0, len(ids)-max(keep, 0))] {
			del(t, s.webhooks.attempts, id)
		}
		return nil
	})
}

// ListWebhookAttempts implements storage.Webhooks.
func (s *Store) ListWebhookAttempts(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookAttempt, error) {
	var out []storage.WebhookAttempt
	err := s.do(ctx, func(*txn) error {
		for _, a := range s.webhooks.attempts {
			if a.SubscriptionID == subscriptionID {
				out = append(out, a)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.WebhookAttempt) int { return cmp.Compare(b.ID, a.ID) })
	return out[:min(len(out), max(limit, 0))], err
}
