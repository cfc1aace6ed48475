package consent

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// NarrowDetails keeps of the authorization details l (RFC 9396) the
// actions whose scope both the app (appScopes) and the user's role
// (roleScopes) allow, by the same rule as scopes (Narrow): never more
// than asked.
func NarrowDetails(l authzdetails.List, appScopes, roleScopes []string) authzdetails.List {
	if len(l) == 0 {
		return nil
	}
	kept, _ := Narrow(l.Scopes(), appScopes, roleScopes)
	return l.Narrow(func(s string) bool { return slices.Contains(kept, s) })
}

// DetailsOf is the authorization details of remembered detail grants.
func DetailsOf(gs []storage.DetailGrant) authzdetails.List {
	out := make(authzdetails.List, 0, len(gs))
	for _, g := range gs {
		out = append(out, authzdetails.Detail{Type: g.Type, Actions: slices.Clone(g.Actions), Locations: []string{g.Location}})
	}
	return out
}

// DetailStore is what remembering details reads and changes.
type DetailStore interface {
	RememberStore
	ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error)
	SaveDetailGrants(ctx context.Context, userID, clientID string, grants []storage.DetailGrant) error
}

// RememberWithDetails is Remember for scopes and authorization details
// together: the details are added to those remembered with a consent that
// is still valid (those whose actions the app may no longer use are
// dropped), each new location granted now.
func RememberWithDetails(ctx context.Context, store DetailStore, userID string, c storage.Client, scopes []string, details authzdetails.List, lifespan time.Duration, now time.Time) error {
	var prev []storage.DetailGrant
	old, err := store.GetConsent(ctx, userID, c.ID)
	switch {
	case err == nil && (old.ExpiresAt.IsZero() || old.ExpiresAt.After(now)):
		if prev, err = store.ListDetailGrants(ctx, userID, c.ID); err != nil {
			return err
		}
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return err
	}
	if err := Remember(ctx, store, userID, c, scopes, lifespan, now); err != nil {
		return err
	}
	kept := NarrowDetails(DetailsOf(prev), c.Scopes, c.Scopes)
	merged := authzdetails.FromGrants(append(kept.Grants(), details.Grants()...))
	grants := make([]storage.DetailGrant, 0, len(merged))
	for _, d := range merged {
		g := storage.DetailGrant{Type: d.Type, Location: d.Locations[0], Actions: d.Actions, GrantedAt: now}
		if i := slices.IndexFunc(prev, func(p storage.DetailGrant) bool { return p.Type == g.Type && p.Location == g.Location }); i >= 0 &&
			(authzdetails.List{d}).Covers(DetailsOf(prev[i:i+1])) {
			g.GrantedAt = prev[i].GrantedAt
		}
		grants = append(grants, g)
	}
	return store.SaveDetailGrants(ctx, userID, c.ID, grants)
}

// requestDetails are the details a parked request asks for, narrowed to
// the app and the role, one per conversation.
func requestDetails(q url.Values, appScopes, roleScopes []string) authzdetails.List {
	// The request was checked when it was parked; one that no longer
	// parses asks for nothing.
	l, err := authzdetails.Parse(q.Get(authzdetails.Param))
	if err != nil {
		return nil
	}
	return authzdetails.FromGrants(NarrowDetails(l, appScopes, roleScopes).Grants())
}

// pageDetails are the details as the page lists them, named by names
// (nil: by their locations).
func pageDetails(ctx context.Context, names Names, l authzdetails.List) []web.ConsentDetail {
	if len(l) == 0 {
		return nil
	}
	found := map[string]string{}
	if names != nil {
		locations := make([]string, 0, len(l))
		for _, d := range l {
			locations = append(locations, d.Locations[0])
		}
		found = names.Names(ctx, locations)
	}
	out := make([]web.ConsentDetail, 0, len(l))
	for i, d := range l {
		name := found[d.Locations[0]]
		if name == "" {
			name = d.Locations[0]
		}
		out = append(out, web.ConsentDetail{Value: strconv.Itoa(i), Name: name, Location: d.Locations[0], Actions: d.Actions})
	}
	return out
}

// tickedDetails are the details of l whose boxes the form kept ticked.
func tickedDetails(l authzdetails.List, ticked []string) authzdetails.List {
	var out authzdetails.List
	for i, d := range l {
		if slices.Contains(ticked, strconv.Itoa(i)) {
			out = append(out, d)
		}
	}
	return out
}

// withDetails is the parked query q asking for l only (the details the
// user allowed), so that the authorization endpoint, resuming it, grants
// those.
func withDetails(q url.Values, l authzdetails.List) string {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	if len(l) == 0 {
		out.Del(authzdetails.Param)
	} else {
		out.Set(authzdetails.Param, l.String())
	}
	return out.Encode()
}
