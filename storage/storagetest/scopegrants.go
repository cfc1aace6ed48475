package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func scopeGrantTests() []test {
	return []test{
		{"live grants holding a scope are listed a page at a time in key order", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			for _, u := range []string{"u1", "u2", "u3"} {
				seedUser(t, s, u, u+"@example.com")
			}
			for _, c := range []string{"a", "b"} {
				seedClient(t, s, c)
			}
			for _, c := range []storage.Consent{
				{UserID: "u1", ClientID: "a", Scopes: []string{"openid", "im:calls.read"}, GrantedAt: at(0)},
				{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(0)},
				{UserID: "u2", ClientID: "a", Scopes: []string{"im:calls.read"}, GrantedAt: at(time.Hour), ExpiresAt: at(48 * time.Hour)},
				{UserID: "u2", ClientID: "b", Scopes: []string{"im:calls.read"}, GrantedAt: at(0), ExpiresAt: at(time.Hour)}, // expired at now
				{UserID: "u3", ClientID: "b", Scopes: []string{"im:calls.read", "openid"}, GrantedAt: at(2 * time.Hour)},
			} {
				must(t, s.SaveConsent(ctx, c), "save consent")
			}
			now := at(24 * time.Hour)
			first, err := s.ListScopeConsents(ctx, "im:calls.read", now, storage.ConsentCursor{}, 2)
			must(t, err, "first page")
			same(t, "first page", first, []storage.Consent{
				{UserID: "u1", ClientID: "a", Scopes: []string{"openid", "im:calls.read"}, GrantedAt: at(0)},
				{UserID: "u2", ClientID: "a", Scopes: []string{"im:calls.read"}, GrantedAt: at(time.Hour), ExpiresAt: at(48 * time.Hour)},
			})
			next, err := s.ListScopeConsents(ctx, "im:calls.read", now, storage.ConsentCursor{UserID: "u2", ClientID: "a"}, 2)
			must(t, err, "next page")
			same(t, "next page", next, []storage.Consent{
				{UserID: "u3", ClientID: "b", Scopes: []string{"im:calls.read", "openid"}, GrantedAt: at(2 * time.Hour)},
			})
			none, err := s.ListScopeConsents(ctx, "im:unknown", now, storage.ConsentCursor{}, 0)
			must(t, err, "unknown scope")
			same(t, "unknown scope", none, []storage.Consent(nil))
		}},
	}
}
