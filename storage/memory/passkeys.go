package memory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// credentialID names a credential ID in errors.
func credentialID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// CreatePasskey implements storage.Passkeys.
func (s *Store) CreatePasskey(ctx context.Context, p storage.Passkey) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.passkeys[string(p.ID)]; ok {
			return exists("create passkey", credentialID(p.ID))
		}
		if _, ok := s.users[p.UserID]; !ok {
			return notFound("create passkey for user", p.UserID)
		}
		put(t, s.passkeys, string(p.ID), p.Clone())
		return nil
	})
}

// GetPasskey implements storage.Passkeys.
func (s *Store) GetPasskey(ctx context.Context, id []byte) (storage.Passkey, error) {
	var p storage.Passkey
	err := s.do(ctx, func(*txn) error {
		got, ok := s.passkeys[string(id)]
		if !ok {
			return notFound("get passkey", credentialID(id))
		}
		p = got.Clone()
		return nil
	})
	return p, err
}

// ListPasskeys implements storage.Passkeys.
func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error) {
	var list []storage.Passkey
	err := s.do(ctx, func(*txn) error {
		for _, p := range s.passkeys {
			if p.UserID == userID {
				list = append(list, p.Clone())
			}
		}
		return nil
	})
	slices.SortFunc(list, func(a, b storage.Passkey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.ID, b.ID))
	})
	return list, err
}

// UpdatePasskey implements storage.Passkeys.
func (s *Store) UpdatePasskey(ctx context.Context, id []byte, update func(storage.Passkey) (storage.Passkey, error)) (storage.Passkey, error) {
	var p storage.Passkey
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.passkeys[string(id)]
		if !ok {
			return notFound("update passkey", credentialID(id))
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if !bytes.Equal(next.ID, old.ID) || next.UserID != old.UserID {
			return fmt.Errorf("memory: update passkey %s: the ID and the user cannot change", credentialID(id))
		}
		put(t, s.passkeys, string(id), next.Clone())
		p = next.Clone()
		return nil
	})
	return p, err
}

// DeletePasskey implements storage.Passkeys.
func (s *Store) DeletePasskey(ctx context.Context, userID string, id []byte) error {
	return s.do(ctx, func(t *txn) error {
		got, ok := s.passkeys[string(id)]
		if !ok || got.UserID != userID {
			return notFound("delete passkey", credentialID(id))
		}
		del(t, s.passkeys, string(id))
		return nil
	})
}
