package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// workspaceTokenTests are the contract of the workspace a token was
// issued for (Token.WorkspaceID), the revocation of a member's tokens
// for one workspace (RevokeSubjectWorkspace), and the workspace an
// authorization flow picked (Flow.WorkspaceID). They run in the tokens
// group.
func workspaceTokenTests() []test {
	tok := func(kind storage.TokenKind, sig, subject, workspace string) storage.Token {
		t := sampleToken(kind, sig, "req-"+sig, "app")
		t.Subject, t.WorkspaceID = subject, workspace
		return t
	}
	return []test{
		{"a token's workspace reads back, stored alone or with its record", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			plain := tok(storage.KindAccessToken, "at-1", "u1", "w-acme")
			must(t, s.CreateToken(ctx, plain), "create")
			recorded := tok(storage.KindRefreshToken, "rt-1", "u1", "w-acme")
			must(t, s.CreateTokenRecorded(ctx, recorded, storage.AuditRecord{Time: at(0), Action: "token.issued", Outcome: "success"}), "create recorded")
			same(t, "access token", mustGet(t, s, storage.KindAccessToken, "at-1"), plain)
			same(t, "refresh token", mustGet(t, s, storage.KindRefreshToken, "rt-1"), recorded)
		}},
		{"revoking a member's tokens for one workspace leaves the other workspaces, users and kinds", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			for _, x := range []storage.Token{
				tok(storage.KindAccessToken, "a-acme", "u1", "w-acme"),
				tok(storage.KindRefreshToken, "r-acme", "u1", "w-acme"),
				tok(storage.KindAccessToken, "a-beta", "u1", "w-beta"),
				tok(storage.KindAccessToken, "a-none", "u1", ""),
				tok(storage.KindAccessToken, "a-bob", "u2", "w-acme"),
				tok(storage.KindAuthorizeCode, "c-acme", "u1", "w-acme"),
			} {
				seedToken(t, s, x)
			}
			n, err := s.RevokeSubjectWorkspace(ctx, "u1", "w-acme")
			must(t, err, "revoke")
			if n != 2 {
				t.Fatalf("revoked %d, want 2", n)
			}
			for _, c := range []struct {
				kind   storage.TokenKind
				sig    string
				active bool
			}{
				{storage.KindAccessToken, "a-acme", false}, {storage.KindRefreshToken, "r-acme", false},
				{storage.KindAccessToken, "a-beta", true}, {storage.KindAccessToken, "a-none", true},
				{storage.KindAccessToken, "a-bob", true}, {storage.KindAuthorizeCode, "c-acme", true},
			} {
				if got := mustGet(t, s, c.kind, c.sig); got.Active != c.active {
					t.Errorf("%s active = %v, want %v", c.sig, got.Active, c.active)
				}
			}
			n, err = s.RevokeSubjectWorkspace(ctx, "u1", "w-acme")
			must(t, err, "revoke again")
			if n != 0 {
				t.Errorf("second revocation counted %d, want 0", n)
			}
		}},
		{"revoking an app's tokens for one workspace takes its bot's and its members', and leaves other apps and workspaces", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			other := func(x storage.Token, client string) storage.Token { x.ClientID = client; return x }
			for _, x := range []storage.Token{
				tok(storage.KindAccessToken, "a-bot", "inst-1", "w-acme"),
				tok(storage.KindRefreshToken, "r-ann", "u1", "w-acme"),
				tok(storage.KindAccessToken, "a-beta", "u1", "w-beta"),
				tok(storage.KindAccessToken, "a-none", "u1", ""),
				other(tok(storage.KindAccessToken, "a-other", "u1", "w-acme"), "other-app"),
				tok(storage.KindAuthorizeCode, "c-acme", "u1", "w-acme"),
			} {
				seedToken(t, s, x)
			}
			n, err := s.RevokeClientWorkspace(ctx, "app", "w-acme")
			must(t, err, "revoke")
			if n != 2 {
				t.Fatalf("revoked %d, want 2", n)
			}
			for _, c := range []struct {
				kind   storage.TokenKind
				sig    string
				active bool
			}{
				{storage.KindAccessToken, "a-bot", false}, {storage.KindRefreshToken, "r-ann", false},
				{storage.KindAccessToken, "a-beta", true}, {storage.KindAccessToken, "a-none", true},
				{storage.KindAccessToken, "a-other", true}, {storage.KindAuthorizeCode, "c-acme", true},
			} {
				if got := mustGet(t, s, c.kind, c.sig); got.Active != c.active {
					t.Errorf("%s active = %v, want %v", c.sig, got.Active, c.active)
				}
			}
			for _, args := range [][2]string{{"", "w-acme"}, {"app", ""}} {
				if n, err := s.RevokeClientWorkspace(ctx, args[0], args[1]); err != nil || n != 0 {
					t.Errorf("RevokeClientWorkspace(%q, %q) revoked %d (%v), want 0", args[0], args[1], n, err)
				}
			}
		}},
		{"an empty subject or workspace revokes nothing", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedToken(t, s, tok(storage.KindAccessToken, "bot", "", "w-acme"))
			seedToken(t, s, tok(storage.KindAccessToken, "none", "u1", ""))
			for _, args := range [][2]string{{"", "w-acme"}, {"u1", ""}} {
				n, err := s.RevokeSubjectWorkspace(ctx, args[0], args[1])
				must(t, err, "revoke")
				if n != 0 {
					t.Errorf("RevokeSubjectWorkspace(%q, %q) revoked %d, want 0", args[0], args[1], n)
				}
			}
			if !mustGet(t, s, storage.KindAccessToken, "bot").Active || !mustGet(t, s, storage.KindAccessToken, "none").Active {
				t.Error("an empty argument revoked a token")
			}
		}},
		{"revoking a workspace's tokens ends a rotated refresh token's reuse window", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			const window = 10 * time.Second
			t0 := at(0)
			seedToken(t, s, tok(storage.KindRefreshToken, "rt", "u1", "w-acme"))
			must(t, errOf(s.RotateRefreshToken(ctx, "req-rt", "rt", t0, window)), "rotate")
			_, err := s.RevokeSubjectWorkspace(ctx, "u1", "w-acme")
			must(t, err, "revoke")
			if mustGet(t, s, storage.KindRefreshToken, "rt").WithinReuse(t0.Add(time.Second), window) {
				t.Error("a revoked token is still within its reuse window")
			}
			mustBe(t, errOf(s.RotateRefreshToken(ctx, "req-rt", "rt", t0.Add(time.Second), window)), storage.ErrConflict, "rotate a revoked token")
		}},
		{"a flow's picked workspace reads back and changes", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			f := storage.Flow{ID: "f1", ClientID: "app", Query: "client_id=app", WorkspaceID: "w-acme", CreatedAt: at(0), ExpiresAt: at(time.Minute)}
			must(t, s.CreateFlow(ctx, f), "create")
			got, err := s.GetFlow(ctx, "f1")
			must(t, err, "get")
			same(t, "flow", got, f)
			got, err = s.UpdateFlow(ctx, "f1", func(f storage.Flow) (storage.Flow, error) {
				f.UserID, f.WorkspaceID = "u1", "w-beta"
				return f, nil
			})
			must(t, err, "update")
			again, err := s.GetFlow(ctx, "f1")
			must(t, err, "get again")
			if got.WorkspaceID != "w-beta" || again.WorkspaceID != "w-beta" {
				t.Errorf("workspace after update: returned %q, stored %q, want w-beta", got.WorkspaceID, again.WorkspaceID)
			}
		}},
	}
}
