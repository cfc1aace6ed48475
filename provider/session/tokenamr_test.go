package session_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// twoStep is a workspace policy that asks every member for a second
// factor.
var twoStep = storage.WorkspacePolicy{RequireMFA: true}

// wantAMR checks a list of methods.
func wantAMR(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func TestUpstreamAMR(t *testing.T) {
	t.Parallel()
	fed := session.AMR(session.AMRFederated)
	t.Run("the upstream's methods show in the token's amr and count for nothing of ours", func(t *testing.T) {
		t.Parallel()
		m, _, c, u := setup(t, false)
		corp := session.Origin{Connector: "corp", Subject: "alice-42", SID: "op-sid-1", AMR: []string{"mfa", "otp"}}
		ls, cookie := startFrom(t, m, withCookie(nil), u, fed, corp)
		got := wantCurrent(t, m, cookie, corp)
		wantAMR(t, "our methods", got.AMR, []string{"fed"})
		if ls.ACR != session.ACRPassword || session.ACR(got.AMR) != session.ACRPassword {
			t.Fatalf("acr = %q (computed %q), want %q", ls.ACR, session.ACR(got.AMR), session.ACRPassword)
		}
		if session.MeetsPolicy(twoStep, got, "", true, c.now()) {
			t.Fatal("an upstream's word of mfa met a policy that asks for our second factor")
		}
		if session.MeetsACR(got.ACR, session.Required("", true)) {
			t.Fatal("an upstream's word of mfa met a role that needs our second factor")
		}
		wantAMR(t, "the token's amr", session.TokenAMR(got), []string{"fed", "mfa", "otp"})
	})
	t.Run("the upstream's word of a password is no password of ours", func(t *testing.T) {
		t.Parallel()
		m, _, c, u := setup(t, false)
		corp := session.Origin{Connector: "corp", Subject: "alice-42", AMR: []string{"pwd"}}
		_, cookie := startFrom(t, m, withCookie(nil), u, fed, corp)
		got := wantCurrent(t, m, cookie, corp)
		passwordOnly := storage.WorkspacePolicy{SignInMethods: []string{session.MethodPassword}}
		if session.MethodAllowed(passwordOnly, got.AMR) || session.MeetsPolicy(passwordOnly, got, "", true, c.now()) {
			t.Fatal("a policy of passwords alone let in an upstream's sign-in that said pwd")
		}
	})
	t.Run("the upstream's methods survive the second factor and Renew", func(t *testing.T) {
		t.Parallel()
		m, store, c, u := setup(t, false)
		corp := session.Origin{Connector: "corp", Subject: "alice-42", SID: "op-sid-1", AMR: []string{"pwd", "mfa"}}
		pending, pendingCookie := startPendingFrom(t, m, u, fed, corp)
		// The pending session is no sign-in, whatever the upstream said.
		if _, ok, _ := m.Current(t.Context(), withCookie(pendingCookie)); ok {
			t.Fatal("the pending session signs the browser in")
		}
		// The second step, as provider/login's mfa page makes it: our
		// methods with the code's, the level of ours, the origin of the
		// pending session.
		full := session.AMR(append(slices.Clone(pending.AMR), session.AMROTP)...)
		first, cookie := startFrom(t, m, withCookie(pendingCookie), u, full, session.OriginOf(pending))
		got := wantCurrent(t, m, cookie, corp)
		wantAMR(t, "our methods", got.AMR, []string{"fed", "otp", "mfa"})
		if got.ACR != session.ACRTwoFactor || !session.MeetsPolicy(twoStep, got, "", true, c.now()) {
			t.Fatalf("after our second factor: acr %q", got.ACR)
		}
		wantAMR(t, "the token's amr", session.TokenAMR(got), []string{"fed", "otp", "mfa", "pwd"})
		wantFound(t, store, corp, first.ID)

		rec := httptest.NewRecorder()
		renewed, err := m.Renew(t.Context(), rec, withCookie(cookie), u, got)
		if err != nil {
			t.Fatal(err)
		}
		again := wantCurrent(t, m, only(t, rec), corp)
		if again.ID != renewed.ID || again.ACR != session.ACRTwoFactor {
			t.Fatalf("renewed %+v", again)
		}
		wantAMR(t, "the renewed token's amr", session.TokenAMR(again), []string{"fed", "otp", "mfa", "pwd"})
	})
	t.Run("what an upstream sends is kept bounded, the rest left out", func(t *testing.T) {
		t.Parallel()
		m, _, _, u := setup(t, false)
		sent := []string{"PWD", "pwd", "", "a b", "p\x00in", strings.Repeat("x", 33), strings.Repeat("y", 32), "pwd", "fed", "sms_otp", "face-2"}
		for i := range 20 {
			sent = append(sent, "m"+strings.Repeat("z", i))
		}
		_, cookie := startFrom(t, m, withCookie(nil), u, fed, session.Origin{Connector: "corp", Subject: "alice-42", AMR: sent})
		s, ok, err := m.Current(t.Context(), withCookie(cookie))
		if err != nil || !ok {
			t.Fatalf("current: %v %v", ok, err)
		}
		kept := []string{"pwd", strings.Repeat("y", 32), "fed", "sms_otp", "face-2", "m", "mz", "mzz"}
		wantAMR(t, "the upstream's methods kept", s.Session.UpstreamAMR, kept)
		wantAMR(t, "the token's amr", session.TokenAMR(s.Session), append([]string{"fed"}, slices.Delete(slices.Clone(kept), 2, 3)...))
	})
	t.Run("a sign-in of our own has none, even replacing one that had", func(t *testing.T) {
		t.Parallel()
		m, _, _, u := setup(t, false)
		_, cookie := startFrom(t, m, withCookie(nil), u, fed, session.Origin{Connector: "corp", Subject: "alice-42", AMR: []string{"pwd"}})
		own := signIn(t, m, u, withCookie(cookie))
		got := wantCurrent(t, m, own, session.Origin{})
		wantAMR(t, "the token's amr", session.TokenAMR(got), []string{"pwd"})
	})
	t.Run("methods without a connector are a sign-in of our own", func(t *testing.T) {
		t.Parallel()
		m, _, _, u := setup(t, false)
		_, cookie := startFrom(t, m, withCookie(nil), u, fed, session.Origin{Subject: "alice-42", AMR: []string{"mfa"}})
		got := wantCurrent(t, m, cookie, session.Origin{})
		wantAMR(t, "the token's amr", session.TokenAMR(got), []string{"fed"})
	})
}

func TestTokenAMR(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		ours, theirs []string
		want         []string
		acr          string
	}{
		{"nothing from the upstream: ours alone", []string{"pwd"}, nil, []string{"pwd"}, "1"},
		{"the upstream's after ours", []string{"fed"}, []string{"pwd", "mfa"}, []string{"fed", "pwd", "mfa"}, "1"},
		{"what we already have is not repeated", []string{"fed", "otp", "mfa"}, []string{"otp", "mfa", "hwk"}, []string{"fed", "otp", "mfa", "hwk"}, "2"},
		{"each once", []string{"fed"}, []string{"pwd", "pwd", "pwd"}, []string{"fed", "pwd"}, "1"},
		{"not a method's form: left out", []string{"fed"}, []string{"Pwd", "pwd ", "p.w.d", "κωδ", "pwd"}, []string{"fed", "pwd"}, "1"},
		{"no sign-in at all", nil, nil, nil, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ls := storage.LoginSession{AMR: tc.ours, ACR: session.ACR(tc.ours), UpstreamAMR: tc.theirs}
			wantAMR(t, "amr", session.TokenAMR(ls), tc.want)
			if ls.ACR != tc.acr {
				t.Fatalf("the level of our methods = %q, want %q", ls.ACR, tc.acr)
			}
			wantAMR(t, "our methods after", ls.AMR, tc.ours)
		})
	}
	t.Run("the session's own list is left as it was", func(t *testing.T) {
		t.Parallel()
		ours := make([]string, 1, 4)
		ours[0] = "fed"
		ls := storage.LoginSession{AMR: ours, UpstreamAMR: []string{"pwd"}}
		_ = session.TokenAMR(ls)
		if got := ours[:2]; got[1] != "" {
			t.Fatalf("TokenAMR wrote into the session's methods: %q", got)
		}
	})
}

// FuzzTokenAMR checks that whatever an upstream sends, the token's amr
// is our methods first, unchanged, then at most eight well-formed
// values, each once and none of ours; and that the session's level, read
// from our methods, is the same as without them.
func FuzzTokenAMR(f *testing.F) {
	f.Add("fed", "pwd mfa")
	f.Add("fed otp mfa", "otp hwk PIN")
	f.Add("pwd", "a b c d e f g h i j k")
	f.Add("", "\x00 \xff "+strings.Repeat("z", 40))
	f.Fuzz(func(t *testing.T, ours, theirs string) {
		ls := storage.LoginSession{AMR: strings.Fields(ours), UpstreamAMR: strings.Split(theirs, " ")}
		ls.ACR = session.ACR(ls.AMR)
		got := session.TokenAMR(ls)
		if len(got) < len(ls.AMR) || !slices.Equal(got[:len(ls.AMR)], ls.AMR) {
			t.Fatalf("TokenAMR(%q, %q) = %q: ours not first", ls.AMR, ls.UpstreamAMR, got)
		}
		extra := got[len(ls.AMR):]
		if len(extra) > 8 {
			t.Fatalf("%d extra methods: %q", len(extra), extra)
		}
		for i, m := range extra {
			if m == "" || len(m) > 32 || strings.Trim(m, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" ||
				slices.Contains(ls.AMR, m) || slices.Contains(extra[:i], m) {
				t.Fatalf("extra method %q in %q", m, got)
			}
		}
		if session.ACR(ls.AMR) != ls.ACR {
			t.Fatal("TokenAMR changed the level of our methods")
		}
	})
}
