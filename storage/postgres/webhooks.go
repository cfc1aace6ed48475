package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectWebhooks = `
	SELECT id, coalesce(client_id, ''), url, event_types, description, disabled, sealed_secret,
		previous_sealed_secret, previous_until, created_at, updated_at
	FROM webhook_subscriptions`

func scanWebhook(row pgx.Row) (storage.WebhookSubscription, error) {
	var w storage.WebhookSubscription
	err := row.Scan(&w.ID, &w.ClientID, &w.URL, &w.EventTypes, &w.Description, &w.Disabled, &w.SealedSecret,
		&w.PreviousSealedSecret, into(&w.PreviousUntil), into(&w.CreatedAt), into(&w.UpdatedAt))
	w.EventTypes = listOf(w.EventTypes)
	return w, err
}

// nullable is the argument of a column where empty text is NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateWebhook implements storage.Webhooks; the foreign key refuses an
// unknown client (ErrNotFound).
func (s *Store) CreateWebhook(ctx context.Context, w storage.WebhookSubscription) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create webhook "+w.ID, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO webhook_subscriptions (id, client_id, url, event_types, description, disabled, sealed_secret,
				previous_sealed_secret, previous_until, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			w.ID, nullable(w.ClientID), w.URL, list(w.EventTypes), w.Description, w.Disabled, w.SealedSecret,
			w.PreviousSealedSecret, ts(w.PreviousUntil), ts(w.CreatedAt), ts(w.UpdatedAt))
		return wrap(err, "create webhook %s", w.ID)
	})
}

// GetWebhook implements storage.Webhooks.
func (s *Store) GetWebhook(ctx context.Context, id string) (storage.WebhookSubscription, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	w, err := scanWebhook(s.q(ctx).QueryRow(ctx, selectWebhooks+` WHERE id = $1`, id))
	if err != nil {
		return storage.WebhookSubscription{}, wrap(err, "get webhook %s", id)
	}
	return w, nil
}

// ListWebhooks implements storage.Webhooks.
func (s *Store) ListWebhooks(ctx context.Context) ([]storage.WebhookSubscription, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectWebhooks+` ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list webhooks")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.WebhookSubscription, error) { return scanWebhook(row) })
	return out, wrap(err, "list webhooks")
}

// UpdateWebhook implements storage.Webhooks: the row is locked while fn
// runs.
func (s *Store) UpdateWebhook(ctx context.Context, id string, fn func(storage.WebhookSubscription) (storage.WebhookSubscription, error)) (storage.WebhookSubscription, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var next storage.WebhookSubscription
	err := s.atomic(ctx, "update webhook "+id, func(q querier) error {
		old, err := scanWebhook(q.QueryRow(ctx, selectWebhooks+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "update webhook %s", id)
		}
		if next, err = fn(old); err != nil {
			return err
		}
		next.ID, next.ClientID = old.ID, old.ClientID
		_, err = q.Exec(ctx, `
			UPDATE webhook_subscriptions SET url = $2, event_types = $3, description = $4, disabled = $5,
				sealed_secret = $6, previous_sealed_secret = $7, previous_until = $8, updated_at = $9
			WHERE id = $1`,
			id, next.URL, list(next.EventTypes), next.Description, next.Disabled, next.SealedSecret,
			next.PreviousSealedSecret, ts(next.PreviousUntil), ts(next.UpdatedAt))
		return wrap(err, "update webhook %s", id)
	})
	if err != nil {
		return storage.WebhookSubscription{}, err
	}
	return next, nil
}

// DeleteWebhook implements storage.Webhooks; the messages and the log go
// by their foreign keys.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id)
	return oneRow(tag.RowsAffected(), err, "delete webhook %s", id)
}

// QueueWebhookMessages implements storage.Webhooks in one statement; the
// foreign key refuses an unknown subscription (ErrNotFound).
func (s *Store) QueueWebhookMessages(ctx context.Context, ms []storage.WebhookMessage) error {
	if len(ms) == 0 {
		return nil
	}
	subs, ids, types := make([]string, len(ms)), make([]string, len(ms)), make([]string, len(ms))
	payloads, created := make([][]byte, len(ms)), make([]time.Time, len(ms))
	for i, m := range ms {
		subs[i], ids[i], types[i], payloads[i], created[i] = m.SubscriptionID, m.MessageID, m.EventType, m.Payload, m.CreatedAt.UTC()
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "queue webhook messages", func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO webhook_messages (subscription_id, message_id, event_type, payload, created_at)
			SELECT a, b, c, d, e FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::timestamptz[]) WITH ORDINALITY AS t(a, b, c, d, e, n)
			ORDER BY n`, subs, ids, types, payloads, created)
		return wrap(err, "queue webhook messages")
	})
}

const webhookMessageColumns = `m.id, m.subscription_id, m.message_id, m.event_type, m.payload, m.created_at, m.state, m.attempts, m.due_at`

func scanWebhookMessage(row pgx.CollectableRow) (storage.WebhookMessage, error) {
	var m storage.WebhookMessage
	err := row.Scan(&m.ID, &m.SubscriptionID, &m.MessageID, &m.EventType, &m.Payload, into(&m.CreatedAt), &m.State, &m.Attempts, into(&m.DueAt))
	return m, err
}

// ClaimWebhookMessages implements storage.Webhooks: the due rows are
// locked with FOR UPDATE SKIP LOCKED, so a concurrent claim on another
// node passes over them instead of waiting, and leased in the same
// statement.
func (s *Store) ClaimWebhookMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.WebhookMessage, error) {
	if limit < 1 {
		return nil, fmt.Errorf("postgres: claim webhook messages: limit %d below 1", limit)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		WITH due AS (
		    SELECT id FROM webhook_messages
		    WHERE state = 'pending' AND (due_at IS NULL OR due_at <= $1)
		    ORDER BY id
		    LIMIT $3
		    FOR UPDATE SKIP LOCKED
		)
		UPDATE webhook_messages m SET attempts = m.attempts + 1, due_at = $2
		FROM due WHERE m.id = due.id
		RETURNING `+webhookMessageColumns,
		ts(now), ts(now.Add(lease)), limit)
	if err != nil {
		return nil, wrap(err, "claim webhook messages")
	}
	out, err := pgx.CollectRows(rows, scanWebhookMessage)
	if err != nil {
		return nil, wrap(err, "claim webhook messages")
	}
	// UPDATE ... RETURNING does not keep the order of the rows it chose.
	slices.SortFunc(out, func(a, b storage.WebhookMessage) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// RescheduleWebhookMessage implements storage.Webhooks.
func (s *Store) RescheduleWebhookMessage(ctx context.Context, id int64, due time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `UPDATE webhook_messages SET due_at = $2 WHERE id = $1 AND state = 'pending'`, id, ts(due))
	return oneRow(tag.RowsAffected(), err, "reschedule webhook message %d", id)
}

// FinishWebhookMessage implements storage.Webhooks.
func (s *Store) FinishWebhookMessage(ctx context.Context, id int64, state string, keep int) error {
	if state != storage.WebhookDelivered && state != storage.WebhookFailed {
		return fmt.Errorf("postgres: finish webhook message %d: state %q: %w", id, state, storage.ErrInvalidInput)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.atomic(ctx, fmt.Sprintf("finish webhook message %d", id), func(q querier) error {
		var sub string
		err := q.QueryRow(ctx, `
			UPDATE webhook_messages SET state = $2, due_at = NULL WHERE id = $1 AND state = 'pending'
			RETURNING subscription_id`, id, state).Scan(&sub)
		if err != nil {
			return wrap(err, "finish webhook message %d", id)
		}
		_, err = q.Exec(ctx, `
			DELETE FROM webhook_messages WHERE id IN (
			    SELECT id FROM webhook_messages WHERE subscription_id = $1 AND state <> 'pending'
			    ORDER BY id DESC OFFSET $2)`, sub, max(keep, 0))
		return wrap(err, "finish webhook message %d: keep the newest", id)
	})
}

// ResendWebhookMessage implements storage.Webhooks.
func (s *Store) ResendWebhookMessage(ctx context.Context, subscriptionID string, id int64, now time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var state string
	err := s.q(ctx).QueryRow(ctx, `
		WITH old AS (SELECT id, state FROM webhook_messages WHERE id = $1 AND subscription_id = $2 FOR UPDATE),
		upd AS (
		    UPDATE webhook_messages m SET state = 'pending', attempts = 0, due_at = $3
		    FROM old WHERE m.id = old.id AND old.state <> 'pending'
		    RETURNING m.id
		)
		SELECT old.state FROM old`, id, subscriptionID, ts(now)).Scan(&state)
	if err != nil {
		return wrap(err, "resend webhook message %d", id)
	}
	if state == storage.WebhookPending {
		return fmt.Errorf("postgres: resend webhook message %d: still pending: %w", id, storage.ErrConflict)
	}
	return nil
}

// ListWebhookMessages implements storage.Webhooks.
func (s *Store) ListWebhookMessages(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookMessage, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `SELECT `+webhookMessageColumns+` FROM webhook_messages m
		WHERE m.subscription_id = $1 ORDER BY m.id DESC LIMIT $2`, subscriptionID, max(limit, 0))
	if err != nil {
		return nil, wrap(err, "list webhook messages of %s", subscriptionID)
	}
	out, err := pgx.CollectRows(rows, scanWebhookMessage)
	return out, wrap(err, "list webhook messages of %s", subscriptionID)
}

// RecordWebhookAttempt implements storage.Webhooks.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a storage.WebhookAttempt, keep int) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("record webhook attempt of message %d", a.Delivery)
	return s.atomic(ctx, what, func(q querier) error {
		var sub string
		err := q.QueryRow(ctx, `
			INSERT INTO webhook_attempts (subscription_id, message_id, attempt, at, status, error_class, duration_us)
			SELECT m.subscription_id, m.id, $2, $3, $4, $5, $6 FROM webhook_messages m WHERE m.id = $1
			RETURNING subscription_id`,
			a.Delivery, a.Attempt, ts(a.At), a.Status, a.ErrorClass, a.Duration.Microseconds()).Scan(&sub)
		if err != nil {
			return wrap(err, "%s", what)
		}
		_, err = q.Exec(ctx, `
			DELETE FROM webhook_attempts WHERE id IN (
			    SELECT id FROM webhook_attempts WHERE subscription_id = $1 ORDER BY id DESC OFFSET $2)`, sub, max(keep, 0))
		return wrap(err, "%s: keep the newest", what)
	})
}

// ListWebhookAttempts implements storage.Webhooks.
func (s *Store) ListWebhookAttempts(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookAttempt, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		SELECT id, subscription_id, message_id, attempt, at, status, error_class, duration_us
		FROM webhook_attempts WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2`, subscriptionID, max(limit, 0))
	if err != nil {
		return nil, wrap(err, "list webhook attempts of %s", subscriptionID)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.WebhookAttempt, error) {
		var a storage.WebhookAttempt
		var us int64
		err := row.Scan(&a.ID, &a.SubscriptionID, &a.Delivery, &a.Attempt, into(&a.At), &a.Status, &a.ErrorClass, &us)
		a.Duration = time.Duration(us) * time.Microsecond
		return a, err
	})
	return out, wrap(err, "list webhook attempts of %s", subscriptionID)
}
