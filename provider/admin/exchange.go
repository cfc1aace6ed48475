package admin

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/exchangepolicy"
	"github.com/tokenim/tokenim-auth/storage"
)

// The changes to the token exchange policies (RFC 8693) made in the
// console and through the API. A policy is checked by the rule of a
// policy (exchangepolicy.Check, the configuration's): a confidential
// client that exists, resources configured or stored, scopes of the
// catalogue. The configured policies (Config.Exchange) are read-only
// here: a stored policy for a client the configuration gives one is
// refused, and one stored before the configuration named the client is
// shadowed (the token endpoint uses the configured one) but may still be
// deleted.

// ErrConfiguredExchangePolicy: the client's policy is set in the
// configuration file, read-only in the console and the API.
var ErrConfiguredExchangePolicy = errors.New("the client's token exchange policy is set in the configuration file: change it there")

// maxExchangePolicyList bounds each list of a policy.
const maxExchangePolicyList = 50

// ConfiguredExchangePolicy returns the configured policy of clientID, if
// there is one.
func (a *API) ConfiguredExchangePolicy(clientID string) (storage.ExchangePolicy, bool) {
	i := slices.IndexFunc(a.cfg.Exchange, func(p storage.ExchangePolicy) bool { return p.ClientID == clientID })
	if i < 0 {
		return storage.ExchangePolicy{}, false
	}
	return a.cfg.Exchange[i], true
}

// knownResource reports whether uri is a protected resource, configured
// or stored.
func (a *API) knownResource(ctx context.Context, uri string) (bool, error) {
	if _, ok := a.ConfiguredResource(uri); ok {
		return true, nil
	}
	_, err := a.cfg.Store.GetResource(ctx, uri)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidInput):
		return false, nil
	}
	return false, err
}

// checkExchangePolicy checks what an administrator may set of p
// (exchangepolicy.Check with the stored clients, the configured and
// stored resources and the catalogue): the first problem is a
// FieldError naming its field. It returns p with its lists without
// repeats.
func (a *API) checkExchangePolicy(ctx context.Context, p storage.ExchangePolicy) (storage.ExchangePolicy, error) {
	p.SubjectAudiences, p.Resources, p.Scopes = distinct(p.SubjectAudiences), distinct(p.Resources), distinct(p.Scopes)
	for _, l := range []struct {
		field string
		list  []string
	}{{"subject_audiences", p.SubjectAudiences}, {"resources", p.Resources}, {"scopes", p.Scopes}} {
		if len(l.list) > maxExchangePolicyList {
			return p, &FieldError{Field: l.field, Problem: "more than " + strconv.Itoa(maxExchangePolicyList) + " values"}
		}
	}
	problems, err := exchangepolicy.Check(exchangepolicy.Policy{Client: p.ClientID, SubjectAudiences: p.SubjectAudiences, Resources: p.Resources, Scopes: p.Scopes},
		exchangepolicy.Lookups{
			Client: func(id string) (exchangepolicy.Client, error) {
				c, err := a.cfg.Store.GetClient(ctx, id)
				switch {
				case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidInput):
					return exchangepolicy.Client{}, nil
				case err != nil:
					return exchangepolicy.Client{}, err
				}
				return exchangepolicy.Client{Exists: true, Public: c.Type == storage.ClientPublic}, nil
			},
			Resource: func(uri string) (bool, error) { return a.knownResource(ctx, uri) },
			Scope:    func(s string) bool { return slices.Contains(a.cfg.Scopes, s) },
		})
	if err != nil {
		return p, err
	}
	if len(problems) > 0 {
		field := problems[0].Field
		if field == "client" {
			// The API's and the form's name of it.
			field = "client_id"
		}
		return p, &FieldError{Field: field, Problem: problems[0].Problem}
	}
	return p, nil
}

// distinct returns list without repeats, in its order.
func distinct(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// exchangeDetail is a policy as its records show it.
func exchangeDetail(p storage.ExchangePolicy) map[string]string {
	return map[string]string{"client": p.ClientID, "subject_audiences": strings.Join(p.SubjectAudiences, " "),
		"resources": strings.Join(p.Resources, " "), "scopes": strings.Join(p.Scopes, " "), "impersonation": strconv.FormatBool(p.Impersonation)}
}

// CreateExchangePolicy checks p (a FieldError) and stores it, recorded as
// token_exchange_policy.created. ErrConfiguredExchangePolicy when the
// configuration file gives its client a policy;
// storage.ErrAlreadyExists when one is stored.
func (a *API) CreateExchangePolicy(ctx context.Context, by Actor, p storage.ExchangePolicy) (storage.ExchangePolicy, error) {
	if _, ok := a.ConfiguredExchangePolicy(p.ClientID); ok && p.ClientID != "" {
		return storage.ExchangePolicy{}, ErrConfiguredExchangePolicy
	}
	p, err := a.checkExchangePolicy(ctx, p)
	if err != nil {
		return storage.ExchangePolicy{}, err
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	p.CreatedAt, p.UpdatedAt = now, now
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.CreateExchangePolicy(ctx, p); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ExchangePolicyCreated, ClientID: p.ClientID, Detail: exchangeDetail(p)})}, nil
	})
	if err != nil {
		return storage.ExchangePolicy{}, err
	}
	return p, nil
}

// UpdateExchangePolicy changes the stored policy of clientID by change,
// checked as CreateExchangePolicy checks, recorded as
// token_exchange_policy.updated naming the fields changed. Its client
// does not change (a FieldError). ErrConfiguredExchangePolicy when the
// configuration file gives the client a policy; storage.ErrNotFound when
// none is stored.
func (a *API) UpdateExchangePolicy(ctx context.Context, by Actor, clientID string, change func(*storage.ExchangePolicy)) (storage.ExchangePolicy, error) {
	if _, ok := a.ConfiguredExchangePolicy(clientID); ok {
		return storage.ExchangePolicy{}, ErrConfiguredExchangePolicy
	}
	var out storage.ExchangePolicy
	err := a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		before, err := a.cfg.Store.GetExchangePolicy(ctx, clientID)
		if err != nil {
			return nil, err
		}
		next := before.Clone()
		change(&next)
		if next.ClientID != before.ClientID {
			return nil, &FieldError{Field: "client_id", Problem: "cannot change: delete the policy and add another"}
		}
		if next, err = a.checkExchangePolicy(ctx, next); err != nil {
			return nil, err
		}
		var changed []string
		for _, f := range []struct {
			name string
			same bool
		}{
			{"subject_audiences", slices.Equal(next.SubjectAudiences, before.SubjectAudiences)},
			{"resources", slices.Equal(next.Resources, before.Resources)},
			{"scopes", slices.Equal(next.Scopes, before.Scopes)},
			{"impersonation", next.Impersonation == before.Impersonation},
		} {
			if !f.same {
				changed = append(changed, f.name)
			}
		}
		if len(changed) == 0 {
			out = before
			return nil, nil
		}
		next.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
		if err := a.cfg.Store.UpdateExchangePolicy(ctx, next); err != nil {
			return nil, err
		}
		out = next
		detail := exchangeDetail(next)
		detail["changed"] = strings.Join(changed, " ")
		return []audit.Event{by.On(audit.Event{Action: audit.ExchangePolicyUpdated, ClientID: clientID, Detail: detail})}, nil
	})
	return out, err
}

// DeleteExchangePolicy deletes the stored policy of clientID, recorded as
// token_exchange_policy.deleted: the client may no longer exchange
// tokens, those it got stay until they expire. storage.ErrNotFound when
// none is stored. A stored policy the configuration shadows may be
// deleted: the configured one stays.
func (a *API) DeleteExchangePolicy(ctx context.Context, by Actor, clientID string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if _, err := a.cfg.Store.GetExchangePolicy(ctx, clientID); err != nil {
			if _, ok := a.ConfiguredExchangePolicy(clientID); ok && errors.Is(err, storage.ErrNotFound) {
				return nil, ErrConfiguredExchangePolicy
			}
			return nil, err
		}
		if err := a.cfg.Store.DeleteExchangePolicy(ctx, clientID); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ExchangePolicyDeleted, ClientID: clientID, Detail: map[string]string{"client": clientID}})}, nil
	})
}
