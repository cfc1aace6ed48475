package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateToken implements storage.Tokens. A token of a client that does
// not exist is refused by the foreign key: ErrNotFound.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, fmt.Sprintf("create %s %s", t.Kind, t.Signature), func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO tokens (kind, signature, request_id, client_id, subject, scopes, active,
			                    requested_at, expires_at, access_signature, session, rotated_at, workspace_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			t.Kind, t.Signature, t.RequestID, t.ClientID, t.Subject, list(t.Scopes), t.Active,
			ts(t.RequestedAt), ts(t.ExpiresAt), t.AccessSignature, t.Session, ts(t.RotatedAt), t.WorkspaceID)
		return wrap(err, "create %s ref %s of client %s", t.Kind, storage.Ref(t.Signature), t.ClientID)
	})
}

// CreateTokenRecorded implements storage.Tokens: one statement, whose
// first part inserts the token and whose second inserts the record only
// once the first has (a data-modifying CTE), so that both commit together
// or, on a conflict, neither. Outside a transaction it is written by group
// commit (issuer), with the issuances of other requests in flight.
func (s *Store) CreateTokenRecorded(ctx context.Context, t storage.Token, r storage.AuditRecord) error {
	if s.tx(ctx) == nil {
		return s.issuer.issue(ctx, t, r)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, fmt.Sprintf("create %s %s", t.Kind, t.Signature), func(q querier) error {
		_, err := q.Exec(ctx, insertTokenRecorded, tokenRecordedArgs(t, r)...)
		return wrap(err, "create %s ref %s of client %s", t.Kind, storage.Ref(t.Signature), t.ClientID)
	})
}

// GetToken implements storage.Tokens.
func (s *Store) GetToken(ctx context.Context, kind storage.TokenKind, signature string) (storage.Token, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	t := storage.Token{Kind: kind, Signature: signature}
	err := s.q(ctx).QueryRow(ctx, `
		SELECT request_id, client_id, subject, scopes, active, requested_at, expires_at,
		       access_signature, session, rotated_at, workspace_id
		FROM tokens
		WHERE kind = $1 AND signature = $2`, kind, signature).
		Scan(&t.RequestID, &t.ClientID, &t.Subject, &t.Scopes, &t.Active, into(&t.RequestedAt),
			into(&t.ExpiresAt), &t.AccessSignature, &t.Session, into(&t.RotatedAt), &t.WorkspaceID)
	if err != nil {
		return storage.Token{}, wrap(err, "get %s ref %s", kind, storage.Ref(signature))
	}
	t.Scopes = listOf(t.Scopes)
	return t, nil
}

// DeleteToken implements storage.Tokens.
func (s *Store) DeleteToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM tokens WHERE kind = $1 AND signature = $2`, kind, signature)
	if err != nil {
		return wrap(err, "delete %s ref %s", kind, storage.Ref(signature))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete %s ref %s: %w", kind, storage.Ref(signature), storage.ErrNotFound)
	}
	return nil
}

// deactivate marks one active token inactive, in one statement. Under READ
// COMMITTED a concurrent call waits for the winner's row lock, then finds
// the row inactive and updates nothing: exactly one call deactivates. The
// statement also says whether the token exists, as its snapshot shows it,
// to tell a lost race (storage.ErrConflict) from an unknown token
// (storage.ErrNotFound).
const deactivate = `
WITH done AS (
    UPDATE tokens SET active = false
    WHERE kind = $1 AND signature = $2 AND active
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM done),
       EXISTS (SELECT 1 FROM tokens WHERE kind = $1 AND signature = $2)`

// DeactivateToken implements storage.Tokens.
func (s *Store) DeactivateToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var done, exists bool
	if err := s.q(ctx).QueryRow(ctx, deactivate, kind, signature).Scan(&done, &exists); err != nil {
		return wrap(err, "deactivate %s ref %s", kind, storage.Ref(signature))
	}
	switch {
	case done:
		return nil
	case exists:
		return fmt.Errorf("postgres: deactivate %s ref %s: already inactive: %w", kind, storage.Ref(signature), storage.ErrConflict)
	default:
		return fmt.Errorf("postgres: deactivate %s ref %s: %w", kind, storage.Ref(signature), storage.ErrNotFound)
	}
}

// rotate retires a refresh token of a family and, only if that succeeded,
// the family's access tokens, in one statement: atomic without a
// transaction of its own. The token's row is locked first: under READ
// COMMITTED a concurrent rotation waits for the winner's lock and then
// reads the row as the winner left it (inactive, with its rotated_at), so
// that it can tell a retry within the reuse window ($6, rotated after it)
// from a reuse, and exactly one rotation retires the token.
const rotate = `
WITH locked AS (
    SELECT active, rotated_at FROM tokens
    WHERE kind = $3 AND signature = $2 AND request_id = $1
    FOR UPDATE
), rotated AS (
    UPDATE tokens SET active = false, rotated_at = $5
    WHERE kind = $3 AND signature = $2 AND request_id = $1
      AND EXISTS (SELECT 1 FROM locked WHERE active)
    RETURNING 1
), revoked AS (
    UPDATE tokens SET active = false
    WHERE kind = $4 AND request_id = $1 AND active
      AND EXISTS (SELECT 1 FROM rotated)
    RETURNING signature
)
SELECT EXISTS (SELECT 1 FROM rotated),
       EXISTS (SELECT 1 FROM locked WHERE NOT active AND rotated_at > $6),
       EXISTS (SELECT 1 FROM locked),
       ARRAY(SELECT signature FROM revoked)`

// RotateRefreshToken implements storage.Tokens (RFC 9700 section 4.14.2).
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string, at time.Time, window time.Duration) ([]string, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var done, retried, exists bool
	var retired []string
	err := s.q(ctx).QueryRow(ctx, rotate, requestID, signature, storage.KindRefreshToken, storage.KindAccessToken,
		at.UTC(), at.UTC().Add(-window)).Scan(&done, &retried, &exists, &retired)
	if err != nil {
		return nil, wrap(err, "rotate refresh_token ref %s of grant ref %s", storage.Ref(signature), storage.Ref(requestID))
	}
	switch {
	case done:
		return retired, nil
	case retried && window > 0:
		return nil, nil
	case exists:
		return nil, fmt.Errorf("postgres: rotate refresh_token ref %s of grant ref %s: already inactive: %w", storage.Ref(signature), storage.Ref(requestID), storage.ErrConflict)
	default:
		return nil, fmt.Errorf("postgres: rotate refresh_token ref %s of grant ref %s: %w", storage.Ref(signature), storage.Ref(requestID), storage.ErrNotFound)
	}
}

// endReuse is a revocation of the tokens matching where: it marks the
// active ones inactive, the count its command tag reports, and ends the
// reuse window of the rotated ones (storage.Token.RotatedAt). The two sets
// are disjoint, as an active token has no rotated_at.
func endReuse(where string) string {
	return `
		WITH rotated AS (
		    UPDATE tokens SET rotated_at = NULL
		    WHERE ` + where + ` AND NOT active AND rotated_at IS NOT NULL
		)
		UPDATE tokens SET active = false
		WHERE ` + where + ` AND active`
}

// RevokeFamily implements storage.Tokens (RFC 7009 section 2.1: revoking
// a refresh token may revoke the grant's other tokens).
func (s *Store) RevokeFamily(ctx context.Context, kind storage.TokenKind, requestID string) ([]string, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, endReuse(`kind = $1 AND request_id = $2`)+` RETURNING signature`, kind, requestID)
	if err != nil {
		return nil, wrap(err, "revoke %s family of grant ref %s", kind, storage.Ref(requestID))
	}
	revoked, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(err, "revoke %s family of grant ref %s", kind, storage.Ref(requestID))
	}
	return revoked, nil
}

// FamilyActive implements storage.Tokens (tokens_request_id_kind_idx).
func (s *Store) FamilyActive(ctx context.Context, requestID string, now time.Time) (bool, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var live bool
	err := s.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tokens WHERE request_id = $1 AND kind IN ($2, $3)
		AND active AND (expires_at IS NULL OR expires_at > $4))`, requestID, storage.KindAccessToken, storage.KindRefreshToken, now).Scan(&live)
	if err != nil {
		return false, wrap(err, "read family of grant ref %s", storage.Ref(requestID))
	}
	return live, nil
}

// RevokeSubject implements storage.Tokens.
func (s *Store) RevokeSubject(ctx context.Context, subject, clientID string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, endReuse(`subject = $1 AND subject <> '' AND ($2 = '' OR client_id = $2)
		  AND kind IN ($3, $4)`),
		subject, clientID, storage.KindAccessToken, storage.KindRefreshToken)
	if err != nil {
		return 0, wrap(err, "revoke tokens of %s", subject)
	}
	return int(tag.RowsAffected()), nil
}

// RevokeSubjectBeyond implements storage.Tokens: the tokens whose scopes
// are not all contained in allowed.
func (s *Store) RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, endReuse(`subject = $1 AND subject <> '' AND kind IN ($3, $4)
		  AND NOT (scopes <@ $2::text[])`),
		subject, list(allowed), storage.KindAccessToken, storage.KindRefreshToken)
	if err != nil {
		return 0, wrap(err, "revoke tokens of %s beyond its role", subject)
	}
	return int(tag.RowsAffected()), nil
}

// RevokeClientWorkspace implements storage.Tokens: the client's tokens
// are found through tokens_client_id_subject_idx.
func (s *Store) RevokeClientWorkspace(ctx context.Context, clientID, workspaceID string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, endReuse(`client_id = $1 AND client_id <> '' AND workspace_id = $2 AND workspace_id <> ''
		  AND kind IN ($3, $4)`),
		clientID, workspaceID, storage.KindAccessToken, storage.KindRefreshToken)
	if err != nil {
		return 0, wrap(err, "revoke tokens of client %s for workspace %s", clientID, workspaceID)
	}
	return int(tag.RowsAffected()), nil
}

// RevokeSubjectWorkspace implements storage.Tokens.
func (s *Store) RevokeSubjectWorkspace(ctx context.Context, subject, workspaceID string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, endReuse(`subject = $1 AND subject <> '' AND workspace_id = $2 AND workspace_id <> ''
		  AND kind IN ($3, $4)`),
		subject, workspaceID, storage.KindAccessToken, storage.KindRefreshToken)
	if err != nil {
		return 0, wrap(err, "revoke tokens of %s for workspace %s", subject, workspaceID)
	}
	return int(tag.RowsAffected()), nil
}
