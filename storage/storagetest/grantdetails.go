package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func detailGrantTests() []test {
	launch := storage.DetailGrant{Type: "im_conversation", Location: "conv:launch", Actions: []string{"messages.read", "messages.send"}, GrantedAt: at(0)}
	ops := storage.DetailGrant{Type: "im_channel", Location: "chan:ops", Actions: []string{"messages.read"}, GrantedAt: at(0)}
	of := func(user, client string, g storage.DetailGrant) storage.DetailGrant {
		g.UserID, g.ClientID = user, client
		return g
	}
	seed := func(t *testing.T, s storage.Store) {
		t.Helper()
		seedUser(t, s, "u1", "u1@example.com")
		seedUser(t, s, "u2", "u2@example.com")
		seedClient(t, s, "a")
		seedClient(t, s, "b")
		for _, c := range []storage.Consent{
			{UserID: "u1", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)},
			{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(0)},
			{UserID: "u2", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)},
		} {
			must(t, s.SaveConsent(t.Context(), c), "save consent")
		}
	}
	return []test{
		{"detail grants are saved, replaced and listed by client, type and location", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seed(t, s)
			must(t, s.SaveDetailGrants(ctx, "u1", "b", []storage.DetailGrant{launch}), "save to b")
			must(t, s.SaveDetailGrants(ctx, "u1", "a", []storage.DetailGrant{launch, ops}), "save to a")
			must(t, s.SaveDetailGrants(ctx, "u2", "a", []storage.DetailGrant{ops}), "save u2's")
			all, err := s.ListDetailGrants(ctx, "u1", "")
			must(t, err, "list all")
			same(t, "u1's grants", all, []storage.DetailGrant{of("u1", "a", ops), of("u1", "a", launch), of("u1", "b", launch)})
			narrower := launch
			narrower.Actions, narrower.GrantedAt = []string{"messages.read"}, at(time.Hour)
			must(t, s.SaveDetailGrants(ctx, "u1", "a", []storage.DetailGrant{narrower}), "replace")
			toA, err := s.ListDetailGrants(ctx, "u1", "a")
			must(t, err, "list to a")
			same(t, "u1's grants to a", toA, []storage.DetailGrant{of("u1", "a", narrower)})
			must(t, s.SaveDetailGrants(ctx, "u1", "a", nil), "save none")
			if none, err := s.ListDetailGrants(ctx, "u1", "a"); err != nil || len(none) != 0 {
				t.Fatalf("after saving none: %v, %v", none, err)
			}
			if none, err := s.ListDetailGrants(ctx, "nobody", ""); err != nil || len(none) != 0 {
				t.Fatalf("an unknown user's: %v, %v", none, err)
			}
		}},
		{"detail grants need a consent and go with it", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seed(t, s)
			if err := s.SaveDetailGrants(ctx, "u2", "b", []storage.DetailGrant{launch}); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("saving without a consent: %v, want ErrNotFound", err)
			}
			must(t, s.SaveDetailGrants(ctx, "u1", "a", []storage.DetailGrant{launch}), "save")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "a", Scopes: []string{"openid", "profile"}, GrantedAt: at(time.Hour)}), "replace the consent")
			if kept, err := s.ListDetailGrants(ctx, "u1", "a"); err != nil || len(kept) != 1 {
				t.Fatalf("after replacing the consent: %v, %v; want the grant kept", kept, err)
			}
			must(t, s.DeleteConsent(ctx, "u1", "a"), "delete the consent")
			if gone, err := s.ListDetailGrants(ctx, "u1", "a"); err != nil || len(gone) != 0 {
				t.Fatalf("after deleting the consent: %v, %v", gone, err)
			}
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(2 * time.Hour)}), "consent again")
			if gone, err := s.ListDetailGrants(ctx, "u1", "a"); err != nil || len(gone) != 0 {
				t.Fatalf("a new consent brought back %v, %v", gone, err)
			}

			must(t, s.SaveDetailGrants(ctx, "u1", "b", []storage.DetailGrant{launch}), "save to b")
			must(t, s.DeleteClient(ctx, "b"), "delete client b")
			seedClient(t, s, "b")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(3 * time.Hour)}), "consent to the new b")
			if gone, err := s.ListDetailGrants(ctx, "u1", "b"); err != nil || len(gone) != 0 {
				t.Fatalf("a client registered again under the same ID got %v, %v", gone, err)
			}
		}},
		{"one location's grant is withdrawn", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seed(t, s)
			must(t, s.SaveDetailGrants(ctx, "u1", "a", []storage.DetailGrant{launch, ops}), "save")
			must(t, s.DeleteDetailGrant(ctx, "u1", "a", "im_conversation", "conv:launch"), "delete")
			left, err := s.ListDetailGrants(ctx, "u1", "a")
			must(t, err, "list")
			same(t, "left", left, []storage.DetailGrant{of("u1", "a", ops)})
			for _, k := range [][4]string{{"u1", "a", "im_conversation", "conv:launch"}, {"u1", "a", "im_conversation", "chan:ops"}, {"u2", "a", "im_channel", "chan:ops"}} {
				if err := s.DeleteDetailGrant(ctx, k[0], k[1], k[2], k[3]); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("deleting %v: %v, want ErrNotFound", k, err)
				}
			}
		}},
	}
}
