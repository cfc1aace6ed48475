package consent

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

// WithdrawStore is what withdrawing a grant changes.
type WithdrawStore interface {
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	DeleteConsent(ctx context.Context, userID, clientID string) error
	RevokeSubject(ctx context.Context, subject, clientID string) (int, error)
	storage.Transactor
}

// Withdraw withdraws what user userID granted app clientID and revokes
// every token and refresh token of that app for the user, in one
// transaction with its authorization record; by is the record's actor
// (the user, an admin, a command). An app without a remembered grant may
// still hold tokens: they are revoked all the same, and the record says
// so. It returns how many tokens were revoked.
func Withdraw(ctx context.Context, store WithdrawStore, rec *audit.Recorder, userID, clientID string, by audit.Event) (int, error) {
	var n int
	err := storage.InTx(ctx, store, func(ctx context.Context) error {
		c, err := store.GetConsent(ctx, userID, clientID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := store.DeleteConsent(ctx, userID, clientID); err != nil {
				return err
			}
		}
		if n, err = store.RevokeSubject(ctx, userID, clientID); err != nil {
			return err
		}
		e := by
		e.Action, e.Subject, e.ClientID, e.Scopes = audit.ConsentWithdrawn, userID, clientID, c.Scopes
		e.Detail = map[string]string{"tokens_revoked": fmt.Sprint(n)}
		if c.UserID == "" {
			e.Reason = "no_grant_remembered"
		}
		return rec.Record(ctx, e)
	})
	if err != nil {
		return 0, fmt.Errorf("consent: withdraw the grant of user %s to %s: %w", userID, clientID, err)
	}
	return n, nil
}
