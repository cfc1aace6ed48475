package storage

import (
	"context"
	"slices"
	"time"
)

// ExchangePolicy is what one client may do with token exchange (RFC
// 8693), managed in the console: the audiences of the tokens it may
// present, the resources it may ask the new token for, the scopes the new
// token may keep, and whether it may impersonate (a token without act).
// Policies configured in YAML (config's token_exchange) are never stored:
// the store holds the console's alone, and the wiring merges both, a
// configured policy shadowing a stored one of the same client.
type ExchangePolicy struct {
	// ClientID is the client the policy is for, the key. Deleting the
	// client deletes its policy.
	ClientID string
	// SubjectAudiences are the resources a presented token must be for;
	// empty takes tokens of any audience.
	SubjectAudiences []string
	// Resources are the resources the client may ask the new token for;
	// empty: the new token keeps the presented one's audience.
	Resources []string
	// Scopes are the scopes the new token may keep; empty: any of the
	// presented token's.
	Scopes []string
	// Impersonation lets the client get a token without act.
	Impersonation bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Clone returns a deep copy of p.
func (p ExchangePolicy) Clone() ExchangePolicy {
	p.SubjectAudiences = slices.Clone(p.SubjectAudiences)
	p.Resources = slices.Clone(p.Resources)
	p.Scopes = slices.Clone(p.Scopes)
	return p
}

// ExchangePolicies stores the token exchange policies managed in the
// console.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type ExchangePolicies interface {
	// CreateExchangePolicy stores p. ErrAlreadyExists if its client has
	// one stored; ErrNotFound if the client does not exist.
	CreateExchangePolicy(ctx context.Context, p ExchangePolicy) error
	// GetExchangePolicy returns the policy of clientID. ErrNotFound if
	// absent.
	GetExchangePolicy(ctx context.Context, clientID string) (ExchangePolicy, error)
	// ListExchangePolicies returns every stored policy ordered by client
	// ID.
	ListExchangePolicies(ctx context.Context) ([]ExchangePolicy, error)
	// UpdateExchangePolicy replaces the subject audiences, resources,
	// scopes, impersonation and UpdatedAt of the policy of p.ClientID
	// (its CreatedAt stays). ErrNotFound if absent.
	UpdateExchangePolicy(ctx context.Context, p ExchangePolicy) error
	// DeleteExchangePolicy removes the policy of clientID. ErrNotFound if
	// absent.
	DeleteExchangePolicy(ctx context.Context, clientID string) error
}
