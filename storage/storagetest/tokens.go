package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func tokenTests() []test {
	return append(workspaceTokenTests(), []test{
		{"every kind of token reads back", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			for _, kind := range storage.TokenKinds() {
				want := sampleToken(kind, "sig-"+string(kind), "req-1", "app")
				if kind == storage.KindRefreshToken {
					want.AccessSignature = "sig-access"
				}
				must(t, s.CreateToken(t.Context(), want), "create "+string(kind))
				got, err := s.GetToken(t.Context(), kind, want.Signature)
				must(t, err, "get "+string(kind))
				same(t, string(kind), got, want)
			}
		}},
		{"a token without expiry or subject reads back", func(t *testing.T, s storage.Store) {
			tok := sampleToken(storage.KindAccessToken, "sig", "req", "bot")
			tok.Subject, tok.ExpiresAt, tok.Scopes = "", time.Time{}, nil
			seedToken(t, s, tok)
			got, err := s.GetToken(t.Context(), storage.KindAccessToken, "sig")
			must(t, err, "get")
			same(t, "token", got, tok)
		}},
		{"the same signature may exist once per kind", func(t *testing.T, s storage.Store) {
			seedToken(t, s, sampleToken(storage.KindAuthorizeCode, "sig", "req", "app"))
			must(t, s.CreateToken(t.Context(), sampleToken(storage.KindPKCE, "sig", "req", "app")), "same signature, other kind")
			mustBe(t, s.CreateToken(t.Context(), sampleToken(storage.KindAuthorizeCode, "sig", "req2", "app")), storage.ErrAlreadyExists, "same kind twice")
		}},
		{"token of unknown client is ErrNotFound", func(t *testing.T, s storage.Store) {
			mustBe(t, s.CreateToken(t.Context(), sampleToken(storage.KindAccessToken, "sig", "req", "ghost")), storage.ErrNotFound, "create")
		}},
		{"unknown token is ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.GetToken(t.Context(), storage.KindAccessToken, "nope")
			mustBe(t, err, storage.ErrNotFound, "get")
			mustBe(t, s.DeleteToken(t.Context(), storage.KindAccessToken, "nope"), storage.ErrNotFound, "delete")
			mustBe(t, s.DeactivateToken(t.Context(), storage.KindAccessToken, "nope"), storage.ErrNotFound, "deactivate")
		}},
		{"a lookup by the wrong kind finds nothing", func(t *testing.T, s storage.Store) {
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "sig", "req", "app"))
			_, err := s.GetToken(t.Context(), storage.KindAccessToken, "sig")
			mustBe(t, err, storage.ErrNotFound, "get as access token")
		}},
		{"deleted token is gone", func(t *testing.T, s storage.Store) {
			seedToken(t, s, sampleToken(storage.KindPKCE, "sig", "req", "app"))
			must(t, s.DeleteToken(t.Context(), storage.KindPKCE, "sig"), "delete")
			_, err := s.GetToken(t.Context(), storage.KindPKCE, "sig")
			mustBe(t, err, storage.ErrNotFound, "get")
		}},
		{"a redeemed code stays readable as inactive and cannot be redeemed again", func(t *testing.T, s storage.Store) {
			seedToken(t, s, sampleToken(storage.KindAuthorizeCode, "code", "req", "app"))
			must(t, s.DeactivateToken(t.Context(), storage.KindAuthorizeCode, "code"), "redeem")
			got, err := s.GetToken(t.Context(), storage.KindAuthorizeCode, "code")
			must(t, err, "get redeemed code")
			if got.Active {
				t.Fatal("redeemed code still active")
			}
			if got.RequestID != "req" || len(got.Session) == 0 {
				t.Fatalf("redeemed code lost its request: %+v", got)
			}
			mustBe(t, s.DeactivateToken(t.Context(), storage.KindAuthorizeCode, "code"), storage.ErrConflict, "second redemption")
		}},
		{"rotation retires the refresh token and the family's access tokens", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-1", "fam", "app"))
			rt := sampleToken(storage.KindRefreshToken, "rt-1", "fam", "app")
			rt.AccessSignature = "at-1"
			seedToken(t, s, rt)
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-other", "other-fam", "app"))

			retired, err := s.RotateRefreshToken(ctx, "fam", "rt-1", time.Now(), 0)
			must(t, err, "rotate")
			if !slices.Equal(retired, []string{"at-1"}) {
				t.Errorf("the rotation names %q as the access tokens it retired, want at-1", retired)
			}
			for _, k := range []struct {
				kind   storage.TokenKind
				sig    string
				active bool
			}{
				{storage.KindRefreshToken, "rt-1", false},
				{storage.KindAccessToken, "at-1", false},
				{storage.KindAccessToken, "at-other", true},
			} {
				got, err := s.GetToken(ctx, k.kind, k.sig)
				must(t, err, "get "+k.sig)
				if got.Active != k.active {
					t.Errorf("%s active = %v, want %v", k.sig, got.Active, k.active)
				}
			}
			// The next pair of the family is stored as usual and is active.
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-2", "fam", "app"))
			rt2 := sampleToken(storage.KindRefreshToken, "rt-2", "fam", "app")
			seedToken(t, s, rt2)
			mustBe(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", time.Now(), 0)), storage.ErrConflict, "rotating the old token again")
			if got, _ := s.GetToken(ctx, storage.KindAccessToken, "at-2"); !got.Active {
				t.Error("a failed rotation deactivated the family's new access token")
			}
		}},
		{"a rotated refresh token is rotated again within its reuse window, not after it", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			const window = 10 * time.Second
			t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-1", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-1", "fam", "app"))
			must(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", t0, window)), "rotate")
			got, err := s.GetToken(ctx, storage.KindRefreshToken, "rt-1")
			must(t, err, "get rotated")
			if got.Active || !got.RotatedAt.Equal(t0) {
				t.Fatalf("rotated token: active %v, rotated at %v, want inactive, rotated at %v", got.Active, got.RotatedAt, t0)
			}
			if !got.WithinReuse(t0.Add(window-time.Second), window) || got.WithinReuse(t0.Add(window), window) {
				t.Error("WithinReuse does not end exactly window after the rotation")
			}
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-2", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-2", "fam", "app"))

			// A retry a second later: a new pair may be issued, the first
			// one stays valid, and the window still runs from the first
			// rotation.
			must(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", t0.Add(time.Second), window)), "rotate again within the window")
			if at, rt := mustGet(t, s, storage.KindAccessToken, "at-2"), mustGet(t, s, storage.KindRefreshToken, "rt-2"); !at.Active || !rt.Active {
				t.Errorf("the pair of the first rotation retired by a rotation within the window: at-2 %v, rt-2 %v", at.Active, rt.Active)
			}
			if got := mustGet(t, s, storage.KindRefreshToken, "rt-1"); !got.RotatedAt.Equal(t0) {
				t.Errorf("rotated at = %v after a retry, want the first rotation's %v", got.RotatedAt, t0)
			}
			mustBe(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", t0.Add(window), window)), storage.ErrConflict, "rotate after the window")
			mustBe(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", t0.Add(time.Second), 0)), storage.ErrConflict, "rotate with the window off")
			if !mustGet(t, s, storage.KindAccessToken, "at-2").Active {
				t.Error("a refused rotation retired the family's access token")
			}
		}},
		{"a revocation ends a rotated refresh token's reuse window", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			const window = 10 * time.Second
			t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			revocations := map[string]func(){
				"subject":       func() { _, err := s.RevokeSubject(ctx, "user-1", ""); must(t, err, "revoke subject") },
				"subject's app": func() { _, err := s.RevokeSubject(ctx, "user-1", "app"); must(t, err, "revoke subject") },
				"beyond a role": func() { _, err := s.RevokeSubjectBeyond(ctx, "user-1", nil); must(t, err, "revoke beyond") },
			}
			revocations["family"] = nil // checked with its count below
			i := 0
			for name, revoke := range revocations {
				i++
				fam, sig := fmt.Sprintf("fam-%d", i), fmt.Sprintf("rt-%d", i)
				seedToken(t, s, sampleToken(storage.KindRefreshToken, sig, fam, "app"))
				must(t, errOf(s.RotateRefreshToken(ctx, fam, sig, t0, window)), "rotate")
				seedToken(t, s, sampleToken(storage.KindRefreshToken, sig+"-next", fam, "app"))
				if revoke == nil {
					revoked, err := s.RevokeFamily(ctx, storage.KindRefreshToken, fam)
					must(t, err, "revoke family")
					if !slices.Equal(revoked, []string{sig + "-next"}) {
						t.Errorf("revoking a family with one active refresh token named %q, want %s-next", revoked, sig)
					}
				} else {
					revoke()
				}
				got, err := s.GetToken(ctx, storage.KindRefreshToken, sig)
				must(t, err, "get")
				if got.WithinReuse(t0.Add(time.Second), window) {
					t.Errorf("%s: a revoked token is still within its reuse window", name)
				}
				mustBe(t, errOf(s.RotateRefreshToken(ctx, fam, sig, t0.Add(time.Second), window)), storage.ErrConflict, name+": rotate a revoked token")
			}
		}},
		{"rotation outside the token's family is ErrNotFound", func(t *testing.T, s storage.Store) {
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-1", "fam", "app"))
			mustBe(t, errOf(s.RotateRefreshToken(t.Context(), "other-fam", "rt-1", time.Now(), 0)), storage.ErrNotFound, "rotate")
			mustBe(t, errOf(s.RotateRefreshToken(t.Context(), "fam", "nope", time.Now(), 0)), storage.ErrNotFound, "rotate unknown")
			got, _ := s.GetToken(t.Context(), storage.KindRefreshToken, "rt-1")
			if !got.Active {
				t.Fatal("refresh token retired by a rotation naming another family")
			}
		}},
		{"a family lives while an access or refresh token of it is active and unexpired", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			live := func(fam string, now time.Time) bool {
				t.Helper()
				ok, err := s.FamilyActive(ctx, fam, now)
				must(t, err, "family active")
				return ok
			}
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-1", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-1", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindAuthorizeCode, "code-1", "codes-only", "app"))
			if !live("fam", at(time.Minute)) || live("no-such-family", at(0)) || live("codes-only", at(0)) {
				t.Fatal("a family with active tokens, an unknown one, one of codes only")
			}
			if live("fam", at(2*time.Hour)) {
				t.Fatal("a family whose tokens have all expired lives")
			}
			_, err := s.RevokeFamily(ctx, storage.KindAccessToken, "fam")
			must(t, err, "revoke access tokens")
			if !live("fam", at(time.Minute)) {
				t.Fatal("the family's refresh token is active: it lives")
			}
			_, err = s.RevokeFamily(ctx, storage.KindRefreshToken, "fam")
			must(t, err, "revoke refresh tokens")
			if live("fam", at(time.Minute)) {
				t.Fatal("a revoked family lives")
			}
		}},
		{"revoking a family deactivates only that family's tokens of that kind", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-1", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-2", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-1", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-3", "other", "app"))
			revoked, err := s.RevokeFamily(ctx, storage.KindAccessToken, "fam")
			must(t, err, "revoke")
			if slices.Sort(revoked); !slices.Equal(revoked, []string{"at-1", "at-2"}) {
				t.Fatalf("revoked %q, want at-1 and at-2", revoked)
			}
			for sig, active := range map[string]bool{"at-1": false, "at-2": false, "at-3": true} {
				got, _ := s.GetToken(ctx, storage.KindAccessToken, sig)
				if got.Active != active {
					t.Errorf("%s active = %v, want %v", sig, got.Active, active)
				}
			}
			if got, _ := s.GetToken(ctx, storage.KindRefreshToken, "rt-1"); !got.Active {
				t.Error("revoking access tokens deactivated a refresh token")
			}
			revoked, err = s.RevokeFamily(ctx, storage.KindAccessToken, "fam")
			must(t, err, "revoke again")
			if len(revoked) != 0 {
				t.Fatalf("second revocation named %q, want none", revoked)
			}
			revoked, err = s.RevokeFamily(ctx, storage.KindRefreshToken, "no-such-family")
			must(t, err, "revoke unknown family")
			if len(revoked) != 0 {
				t.Fatalf("unknown family revoked %q", revoked)
			}
		}},
	}...)
}

func consentTests() []test {
	return []test{
		{"saved consent reads back and is replaced by the next decision", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedUser(t, s, "u1", "ann@example.com")
			seedClient(t, s, "app")
			first := storage.Consent{UserID: "u1", ClientID: "app", Scopes: []string{"openid"}, GrantedAt: at(0), ExpiresAt: at(24 * time.Hour)}
			must(t, s.SaveConsent(ctx, first), "save")
			got, err := s.GetConsent(ctx, "u1", "app")
			must(t, err, "get")
			same(t, "consent", got, first)
			second := storage.Consent{UserID: "u1", ClientID: "app", Scopes: []string{"openid", "im:messages.read"}, GrantedAt: at(time.Hour)}
			must(t, s.SaveConsent(ctx, second), "save again")
			got, _ = s.GetConsent(ctx, "u1", "app")
			same(t, "replaced consent", got, second)
		}},
		{"consent for unknown user or client is ErrNotFound", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedClient(t, s, "app")
			mustBe(t, s.SaveConsent(t.Context(), storage.Consent{UserID: "ghost", ClientID: "app", GrantedAt: at(0)}), storage.ErrNotFound, "unknown user")
			mustBe(t, s.SaveConsent(t.Context(), storage.Consent{UserID: "u1", ClientID: "ghost", GrantedAt: at(0)}), storage.ErrNotFound, "unknown client")
			_, err := s.GetConsent(t.Context(), "u1", "app")
			mustBe(t, err, storage.ErrNotFound, "get absent consent")
		}},
		{"a user's consents are listed newest first", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			for _, c := range []string{"a", "b", "c"} {
				seedClient(t, s, c)
			}
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)}), "a")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(2 * time.Hour)}), "b")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "c", Scopes: []string{"openid"}, GrantedAt: at(time.Hour)}), "c")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u2", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)}), "bob's")
			got, err := s.ListConsents(ctx, "u1")
			must(t, err, "list")
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ClientID)
			}
			same(t, "consent order", ids, []string{"b", "c", "a"})
		}},
		{"listed consents say when the app last got a token", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedUser(t, s, "u1", "ann@example.com")
			seedClient(t, s, "a")
			seedClient(t, s, "b")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)}), "a")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(time.Minute)}), "b")
			for i, d := range []time.Duration{time.Hour, 2 * time.Hour} {
				tok := sampleToken(storage.KindAccessToken, fmt.Sprintf("at-%d", i), fmt.Sprintf("r%d", i), "a")
				tok.Subject, tok.RequestedAt = "u1", at(d)
				seedToken(t, s, tok)
			}
			got, err := s.ListConsents(ctx, "u1")
			must(t, err, "list")
			if len(got) != 2 || got[1].ClientID != "a" || !got[1].LastUsedAt.Equal(at(2*time.Hour)) || !got[0].LastUsedAt.IsZero() {
				t.Fatalf("consents %+v", got)
			}
		}},
		{"an app's consents are listed newest first", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			seedClient(t, s, "a")
			seedClient(t, s, "b")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(0)}), "u1 a")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u2", ClientID: "a", Scopes: []string{"openid"}, GrantedAt: at(time.Hour)}), "u2 a")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "b", Scopes: []string{"openid"}, GrantedAt: at(0)}), "u1 b")
			got, err := s.ListClientConsents(ctx, "a")
			must(t, err, "list")
			if len(got) != 2 || got[0].UserID != "u2" || got[1].UserID != "u1" {
				t.Fatalf("consents %+v", got)
			}
		}},
		{"withdrawn consent is gone", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedUser(t, s, "u1", "ann@example.com")
			seedClient(t, s, "app")
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "u1", ClientID: "app", Scopes: []string{"openid"}, GrantedAt: at(0)}), "save")
			must(t, s.DeleteConsent(ctx, "u1", "app"), "withdraw")
			_, err := s.GetConsent(ctx, "u1", "app")
			mustBe(t, err, storage.ErrNotFound, "get")
			mustBe(t, s.DeleteConsent(ctx, "u1", "app"), storage.ErrNotFound, "withdraw again")
		}},
	}
}

// mustGet reads a token that must exist.
func mustGet(t *testing.T, s storage.Store, kind storage.TokenKind, signature string) storage.Token {
	t.Helper()
	tok, err := s.GetToken(t.Context(), kind, signature)
	must(t, err, "get "+signature)
	return tok
}
