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

// DetailWithdrawStore is what withdrawing one conversation's grant
// changes.
type DetailWithdrawStore interface {
	DeleteDetailGrant(ctx context.Context, userID, clientID, typ, location string) error
	RevokeSubject(ctx context.Context, subject, clientID string) (int, error)
	storage.Transactor
}

// WithdrawDetail withdraws what user userID granted app clientID in one
// conversation or channel (typ, location: an RFC 9396 authorization
// detail), in one transaction with its authorization record
// (consent.withdrawn, with the type and location in its detail). No
// stored token can be found by the details it carries, so every token of
// that app for the user is revoked: those carrying the conversation with
// the rest. The remembered consent keeps its scopes and other
// conversations, so the app's next authorization request is answered
// without asking, with a token carrying what is still granted. A grant
// that is not remembered is ErrNotFound and revokes nothing. It returns
// how many tokens were revoked.
func WithdrawDetail(ctx context.Context, store DetailWithdrawStore, rec *audit.Recorder, userID, clientID, typ, location string, by audit.Event) (int, error) {
	var n int
	err := storage.InTx(ctx, store, func(ctx context.Context) error {
		if err := store.DeleteDetailGrant(ctx, userID, clientID, typ, location); err != nil {
			return err
		}
		var err error
		if n, err = store.RevokeSubject(ctx, userID, clientID); err != nil {
			return err
		}
		e := by
		e.Action, e.Subject, e.ClientID = audit.ConsentWithdrawn, userID, clientID
		e.Detail = map[string]string{"tokens_revoked": fmt.Sprint(n), "detail_type": typ, "location": location}
		return rec.Record(ctx, e)
	})
	if err != nil {
		return 0, fmt.Errorf("consent: withdraw the grant of user %s to %s at %s: %w", userID, clientID, location, err)
	}
	return n, nil
}
