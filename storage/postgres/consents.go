package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectConsents = `
SELECT user_id, client_id, scopes, granted_at, expires_at
FROM consents`

func scanConsent(row pgx.Row) (storage.Consent, error) {
	var c storage.Consent
	err := row.Scan(&c.UserID, &c.ClientID, &c.Scopes, into(&c.GrantedAt), into(&c.ExpiresAt))
	c.Scopes = listOf(c.Scopes)
	return c, err
}

// SaveConsent implements storage.Consents: an upsert on (user_id,
// client_id). A consent of a user or client that does not exist is refused
// by a foreign key: ErrNotFound.
func (s *Store) SaveConsent(ctx context.Context, c storage.Consent) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, fmt.Sprintf("save consent of user %s for client %s", c.UserID, c.ClientID), func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO consents (user_id, client_id, scopes, granted_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (user_id, client_id) DO UPDATE
			SET scopes = EXCLUDED.scopes, granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at`,
			c.UserID, c.ClientID, list(c.Scopes), ts(c.GrantedAt), ts(c.ExpiresAt))
		return wrap(err, "save consent of user %s for client %s", c.UserID, c.ClientID)
	})
}

// GetConsent implements storage.Consents.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := scanConsent(s.q(ctx).QueryRow(ctx, selectConsents+` WHERE user_id = $1 AND client_id = $2`, userID, clientID))
	if err != nil {
		return storage.Consent{}, wrap(err, "get consent of user %s for client %s", userID, clientID)
	}
	return c, nil
}

// ListConsents implements storage.Consents: most recently granted first,
// ties by client ID.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]storage.Consent, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		SELECT c.user_id, c.client_id, c.scopes, c.granted_at, c.expires_at,
		       (SELECT max(t.requested_at) FROM tokens t
		        WHERE t.client_id = c.client_id AND t.subject = c.user_id AND t.kind = $2)
		FROM consents c
		WHERE c.user_id = $1
		ORDER BY c.granted_at DESC NULLS LAST, c.client_id`, userID, storage.KindAccessToken)
	if err != nil {
		return nil, wrap(err, "list consents of user %s", userID)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.Consent, error) {
		var c storage.Consent
		err := row.Scan(&c.UserID, &c.ClientID, &c.Scopes, into(&c.GrantedAt), into(&c.ExpiresAt), into(&c.LastUsedAt))
		c.Scopes = listOf(c.Scopes)
		return c, err
	})
	if err != nil {
		return nil, wrap(err, "list consents of user %s", userID)
	}
	return out, nil
}

// ListClientConsents implements storage.Consents.
func (s *Store) ListClientConsents(ctx context.Context, clientID string) ([]storage.Consent, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectConsents+`
		WHERE client_id = $1
		ORDER BY granted_at DESC NULLS LAST, user_id`, clientID)
	if err != nil {
		return nil, wrap(err, "list consents for client %s", clientID)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.Consent, error) {
		return scanConsent(row)
	})
	if err != nil {
		return nil, wrap(err, "list consents for client %s", clientID)
	}
	return out, nil
}

// DeleteConsent implements storage.Consents.
func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID)
	if err != nil {
		return wrap(err, "delete consent of user %s for client %s", userID, clientID)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete consent of user %s for client %s: %w", userID, clientID, storage.ErrNotFound)
	}
	return nil
}
