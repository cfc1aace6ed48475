package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

// storedExchangePolicies is what the exchange directory reads of storage.
type storedExchangePolicies interface {
	ListExchangePolicies(ctx context.Context) ([]storage.ExchangePolicy, error)
}

// errPoliciesUnread: the console's token exchange policies have not been
// read once yet (the store failed since the start).
var errPoliciesUnread = errors.New("token exchange policies: the console's could not be read yet")

// exchangeDirectory is the token exchange policies (RFC 8693) the token
// endpoint applies (oauth.ExchangePolicies): the configured ones, then
// the console's, read from storage every storeRefresh. A configured
// policy shadows a stored one of the same client. A store that cannot be
// read keeps the last set read, and is logged.
type exchangeDirectory struct {
	configured oauth.ExchangePolicyMap
	// stored are the console's, by client; nil: the configured ones
	// alone.
	stored *storedSet[oauth.ExchangePolicyMap]
}

// newExchangeDirectory returns the directory of the configured policies
// and those stored (nil: the configured ones alone).
func newExchangeDirectory(configured []storage.ExchangePolicy, store storedExchangePolicies, logger *slog.Logger) *exchangeDirectory {
	d := &exchangeDirectory{configured: policyMap(configured)}
	if store != nil {
		d.stored = newStoredSet("token exchange policies", func(ctx context.Context) (oauth.ExchangePolicyMap, error) {
			list, err := store.ListExchangePolicies(ctx)
			if err != nil {
				return nil, err
			}
			return policyMap(list), nil
		}, logger)
	}
	return d
}

// policyMap is list by client.
func policyMap(list []storage.ExchangePolicy) oauth.ExchangePolicyMap {
	out := make(oauth.ExchangePolicyMap, len(list))
	for _, p := range list {
		out[p.ClientID] = oauth.ExchangePolicy{SubjectAudiences: p.SubjectAudiences, Resources: p.Resources, Scopes: p.Scopes, Impersonation: p.Impersonation}
	}
	return out
}

// Policy implements oauth.ExchangePolicies: the configured policy of
// clientID, else the stored one. errPoliciesUnread while the store has
// never been read.
func (d *exchangeDirectory) Policy(ctx context.Context, clientID string) (oauth.ExchangePolicy, bool, error) {
	if p, ok := d.configured[clientID]; ok {
		return p, true, nil
	}
	if d.stored == nil {
		return oauth.ExchangePolicy{}, false, nil
	}
	stored, ok := d.stored.get(ctx)
	if !ok {
		return oauth.ExchangePolicy{}, false, errPoliciesUnread
	}
	p, ok := stored[clientID]
	return p, ok, nil
}

// Any implements oauth.ExchangePolicies.
func (d *exchangeDirectory) Any(ctx context.Context) bool {
	if len(d.configured) > 0 {
		return true
	}
	if d.stored == nil {
		return false
	}
	stored, _ := d.stored.get(ctx)
	return len(stored) > 0
}
