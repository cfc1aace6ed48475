package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// tokenName names a token in an error by its kind and the reference of
// its signature (storage.Ref), never the signature itself.
func tokenName(kind storage.TokenKind, signature string) string {
	return fmt.Sprintf("%s ref %s", kind, storage.Ref(signature))
}

// CreateToken implements storage.Tokens.
func (s *Store) CreateToken(ctx context.Context, tok storage.Token) error {
	return s.do(ctx, func(t *txn) error { return s.createToken(t, tok) })
}

// CreateTokenRecorded implements storage.Tokens.
func (s *Store) CreateTokenRecorded(ctx context.Context, tok storage.Token, rec storage.AuditRecord) error {
	return s.do(ctx, func(t *txn) error {
		if err := s.createToken(t, tok); err != nil {
			return err
		}
		s.appendAudit(t, rec)
		return nil
	})
}

func (s *Store) createToken(t *txn, tok storage.Token) error {
	k := tokenKey{tok.Kind, tok.Signature}
	if _, ok := s.tokens[k]; ok {
		return exists("create token", tokenName(tok.Kind, tok.Signature))
	}
	if _, ok := s.clients[tok.ClientID]; !ok {
		return notFound("create token for client", tok.ClientID)
	}
	put(t, s.tokens, k, tok.Clone())
	return nil
}

// GetToken implements storage.Tokens.
func (s *Store) GetToken(ctx context.Context, kind storage.TokenKind, signature string) (storage.Token, error) {
	var tok storage.Token
	err := s.do(ctx, func(*txn) error {
		got, ok := s.tokens[tokenKey{kind, signature}]
		if !ok {
			return notFound("get token", tokenName(kind, signature))
		}
		tok = got.Clone()
		return nil
	})
	return tok, err
}

// DeleteToken implements storage.Tokens.
func (s *Store) DeleteToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	return s.do(ctx, func(t *txn) error {
		k := tokenKey{kind, signature}
		if _, ok := s.tokens[k]; !ok {
			return notFound("delete token", tokenName(kind, signature))
		}
		del(t, s.tokens, k)
		return nil
	})
}

// DeactivateToken implements storage.Tokens.
func (s *Store) DeactivateToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	return s.do(ctx, func(t *txn) error {
		return s.deactivate(t, tokenKey{kind, signature}, "")
	})
}

// deactivate marks one active token inactive; with a non-empty requestID
// the token must belong to that family.
func (s *Store) deactivate(t *txn, k tokenKey, requestID string) error {
	tok, ok := s.tokens[k]
	if !ok || (requestID != "" && tok.RequestID != requestID) {
		return notFound("deactivate token", tokenName(k.kind, k.signature))
	}
	if !tok.Active {
		return fmt.Errorf("memory: deactivate token %s: already inactive: %w", tokenName(k.kind, k.signature), storage.ErrConflict)
	}
	tok.Active = false
	put(t, s.tokens, k, tok)
	return nil
}

// RotateRefreshToken implements storage.Tokens. The store's lock makes a
// concurrent rotation wait for the one in progress.
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string, at time.Time, window time.Duration) ([]string, error) {
	var retired []string
	err := s.do(ctx, func(t *txn) error {
		k := tokenKey{storage.KindRefreshToken, signature}
		if tok, ok := s.tokens[k]; ok && tok.RequestID == requestID && tok.WithinReuse(at, window) {
			return nil
		}
		if err := s.deactivate(t, k, requestID); err != nil {
			return err
		}
		tok := s.tokens[k]
		tok.RotatedAt = at.UTC()
		put(t, s.tokens, k, tok)
		retired = s.revokeFamily(t, storage.KindAccessToken, requestID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return retired, nil
}

// RevokeFamily implements storage.Tokens.
func (s *Store) RevokeFamily(ctx context.Context, kind storage.TokenKind, requestID string) ([]string, error) {
	var revoked []string
	err := s.do(ctx, func(t *txn) error {
		revoked = s.revokeFamily(t, kind, requestID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return revoked, nil
}

// revokeFamily revokes the family's tokens of kind and returns the
// signatures of those that were active.
func (s *Store) revokeFamily(t *txn, kind storage.TokenKind, requestID string) []string {
	var revoked []string
	for k, tok := range s.tokens {
		if k.kind == kind && tok.RequestID == requestID && revoke(t, s.tokens, k, tok) > 0 {
			revoked = append(revoked, k.signature)
		}
	}
	return revoked
}

// FamilyActive implements storage.Tokens.
func (s *Store) FamilyActive(ctx context.Context, requestID string, now time.Time) (bool, error) {
	live := false
	err := s.do(ctx, func(*txn) error {
		for k, tok := range s.tokens {
			if tok.RequestID == requestID && (k.kind == storage.KindAccessToken || k.kind == storage.KindRefreshToken) &&
				tok.Active && (tok.ExpiresAt.IsZero() || now.Before(tok.ExpiresAt)) {
				live = true
				return nil
			}
		}
		return nil
	})
	return live, err
}

// RevokeSubject implements storage.Tokens.
func (s *Store) RevokeSubject(ctx context.Context, subject, clientID string) (int, error) {
	return s.revokeSubjectWhere(ctx, subject, func(tok storage.Token) bool {
		return clientID == "" || tok.ClientID == clientID
	})
}

// RevokeSubjectBeyond implements storage.Tokens.
func (s *Store) RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error) {
	return s.revokeSubjectWhere(ctx, subject, func(tok storage.Token) bool {
		for _, sc := range tok.Scopes {
			if !slices.Contains(allowed, sc) {
				return true
			}
		}
		return false
	})
}

// RevokeSubjectWorkspace implements storage.Tokens.
func (s *Store) RevokeSubjectWorkspace(ctx context.Context, subject, workspaceID string) (int, error) {
	return s.revokeSubjectWhere(ctx, subject, func(tok storage.Token) bool {
		return workspaceID != "" && tok.WorkspaceID == workspaceID
	})
}

// RevokeClientWorkspace implements storage.Tokens.
func (s *Store) RevokeClientWorkspace(ctx context.Context, clientID, workspaceID string) (int, error) {
	return s.revokeWhere(ctx, func(tok storage.Token) bool {
		return clientID != "" && workspaceID != "" && tok.ClientID == clientID && tok.WorkspaceID == workspaceID
	})
}

// revokeSubjectWhere revokes the access and refresh tokens of the user
// subject that match, and returns how many were active.
func (s *Store) revokeSubjectWhere(ctx context.Context, subject string, match func(storage.Token) bool) (int, error) {
	return s.revokeWhere(ctx, func(tok storage.Token) bool {
		return subject != "" && tok.Subject == subject && match(tok)
	})
}

// revokeWhere revokes the access and refresh tokens that match, and
// returns how many were active.
func (s *Store) revokeWhere(ctx context.Context, match func(storage.Token) bool) (int, error) {
	n := 0
	err := s.do(ctx, func(t *txn) error {
		for k, tok := range s.tokens {
			if (k.kind == storage.KindAccessToken || k.kind == storage.KindRefreshToken) && match(tok) {
				n += revoke(t, s.tokens, k, tok)
			}
		}
		return nil
	})
	return n, err
}

// revoke marks tok, stored under k, inactive and ends its reuse window; it
// returns 1 if tok was active, 0 otherwise.
func revoke(t *txn, tokens map[tokenKey]storage.Token, k tokenKey, tok storage.Token) int {
	if !tok.Active && tok.RotatedAt.IsZero() {
		return 0
	}
	was := tok.Active
	tok.Active, tok.RotatedAt = false, time.Time{}
	put(t, tokens, k, tok)
	if was {
		return 1
	}
	return 0
}
