package storage

import (
	"context"
	"errors"
	"fmt"
)

// Store is the union of every area, implemented by each backend.
type Store interface {
	Clients
	Users
	LoginSessions
	BackchannelLogouts
	Webhooks
	Flows
	DeviceAuthorizations
	Tokens
	Consents
	ScopeGrants
	DetailGrants
	Keys
	JTIs
	Links
	Passkeys
	Workspaces
	Installations
	Upstreams
	Resources
	ExchangePolicies
	SCIM
	RegistrationTokens
	Counters
	CacheEpochs
	Audit
	Purger
	Transactor
	// Ping reports whether the backend can serve requests (readiness).
	Ping(ctx context.Context) error
	// Close releases the backend's resources.
	Close()
}

// Transactor runs several calls as one atomic unit. BeginTx returns a
// context that carries the transaction: every call made with that context
// (or one derived from it) joins the transaction until Commit or Rollback
// is called with it. The shape matches fosite's storage.Transactional so the
// OAuth adapter can hand it straight to fosite's handlers.
//
// BeginTx on a context that already carries a transaction of the same
// backend returns ErrNestedTx. Commit and Rollback on a context without one
// return ErrNoTx. After a failed Commit the transaction is rolled back.
type Transactor interface {
	BeginTx(ctx context.Context) (context.Context, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Errors of the Transactor contract.
var (
	ErrNestedTx = errors.New("transaction already open in this context")
	ErrNoTx     = errors.New("no transaction in this context")
)

// InTx runs fn inside a transaction of t: it commits when fn returns nil and
// rolls back otherwise, returning fn's error.
func InTx(ctx context.Context, t Transactor, fn func(ctx context.Context) error) error {
	txCtx, err := t.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(txCtx); err != nil {
		if rbErr := t.Rollback(txCtx); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := t.Commit(txCtx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Page selects one page of a listing ordered by a unique key: the records
// after After (empty for the first page), at most Limit of them (a backend
// uses 100 when Limit <= 0).
type Page struct {
	After string
	Limit int
}

// DefaultPageLimit is the page size used when Page.Limit is not positive.
const DefaultPageLimit = 100

// EffectiveLimit returns p.Limit, or DefaultPageLimit when it is not positive.
func (p Page) EffectiveLimit() int {
	if p.Limit <= 0 {
		return DefaultPageLimit
	}
	return p.Limit
}
