package postgres

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectPasskeys = `
	SELECT id, user_id, name, public_key, attestation_type, aaguid, sign_count, transports,
	       user_verified, backup_eligible, backup_state, created_at, last_used_at
	FROM passkeys`

// credentialID names a credential ID in errors and logs.
func credentialID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

func scanPasskey(row interface{ Scan(...any) error }) (storage.Passkey, error) {
	var p storage.Passkey
	var count int64
	err := row.Scan(&p.ID, &p.UserID, &p.Name, &p.PublicKey, &p.AttestationType, &p.AAGUID, &count, &p.Transports,
		&p.UserVerified, &p.BackupEligible, &p.BackupState, into(&p.CreatedAt), into(&p.LastUsedAt))
	p.SignCount, p.Transports = uint32(count), listOf(p.Transports)
	return p, err
}

// CreatePasskey implements storage.Passkeys. A passkey for a user that
// does not exist is refused by the foreign key: ErrNotFound.
func (s *Store) CreatePasskey(ctx context.Context, p storage.Passkey) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create passkey", func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO passkeys (id, user_id, name, public_key, attestation_type, aaguid, sign_count, transports,
			                      user_verified, backup_eligible, backup_state, created_at, last_used_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			p.ID, p.UserID, p.Name, bytesOf(p.PublicKey), p.AttestationType, bytesOf(p.AAGUID), int64(p.SignCount), list(p.Transports),
			p.UserVerified, p.BackupEligible, p.BackupState, ts(p.CreatedAt), ts(p.LastUsedAt))
		return wrap(err, "create passkey %s for user %s", credentialID(p.ID), p.UserID)
	})
}

// GetPasskey implements storage.Passkeys.
func (s *Store) GetPasskey(ctx context.Context, id []byte) (storage.Passkey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	p, err := scanPasskey(s.q(ctx).QueryRow(ctx, selectPasskeys+` WHERE id = $1`, id))
	if err != nil {
		return storage.Passkey{}, wrap(err, "get passkey %s", credentialID(id))
	}
	return p, nil
}

// ListPasskeys implements storage.Passkeys.
func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectPasskeys+` WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, wrap(err, "list passkeys of user %s", userID)
	}
	defer rows.Close()
	var list []storage.Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, wrap(err, "list passkeys of user %s", userID)
		}
		list = append(list, p)
	}
	return list, wrap(rows.Err(), "list passkeys of user %s", userID)
}

// UpdatePasskey implements storage.Passkeys: the row is locked while
// update runs, so two sign-ins with one passkey see each other's counter.
func (s *Store) UpdatePasskey(ctx context.Context, id []byte, update func(storage.Passkey) (storage.Passkey, error)) (storage.Passkey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "update passkey " + credentialID(id)
	var next storage.Passkey
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := scanPasskey(q.QueryRow(ctx, selectPasskeys+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "%s", what)
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if !bytes.Equal(next.ID, old.ID) || next.UserID != old.UserID {
			return fmt.Errorf("postgres: %s: the ID and the user cannot change", what)
		}
		_, err = q.Exec(ctx, `
			UPDATE passkeys
			SET name = $2, public_key = $3, attestation_type = $4, aaguid = $5, sign_count = $6, transports = $7,
			    user_verified = $8, backup_eligible = $9, backup_state = $10, created_at = $11, last_used_at = $12
			WHERE id = $1`,
			id, next.Name, bytesOf(next.PublicKey), next.AttestationType, bytesOf(next.AAGUID), int64(next.SignCount), list(next.Transports),
			next.UserVerified, next.BackupEligible, next.BackupState, ts(next.CreatedAt), ts(next.LastUsedAt))
		return wrap(err, "%s", what)
	})
	if err != nil {
		return storage.Passkey{}, err
	}
	return next, nil
}

// DeletePasskey implements storage.Passkeys.
func (s *Store) DeletePasskey(ctx context.Context, userID string, id []byte) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM passkeys WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return wrap(err, "delete passkey %s of user %s", credentialID(id), userID)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete passkey %s of user %s: %w", credentialID(id), userID, storage.ErrNotFound)
	}
	return nil
}

// bytesOf returns b as a NOT NULL bytea argument: empty, never NULL.
func bytesOf(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
