package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// logoutEndpoint is a relying party's back-channel logout endpoint on
// loopback: it answers the statuses given, in turn, then 200, and hands
// every logout token it receives to the test.
type logoutEndpoint struct {
	srv    *httptest.Server
	tokens chan string

	mu       sync.Mutex
	statuses []int
}

func newLogoutEndpoint(t *testing.T, statuses ...int) *logoutEndpoint {
	t.Helper()
	e := &logoutEndpoint{tokens: make(chan string, 16), statuses: statuses}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("logout notification: %s with Content-Type %q, want a form POST", r.Method, r.Header.Get("Content-Type"))
		}
		e.tokens <- r.PostFormValue("logout_token")
		e.mu.Lock()
		status := http.StatusOK
		if len(e.statuses) > 0 {
			status, e.statuses = e.statuses[0], e.statuses[1:]
		}
		e.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// next waits for the next logout token. The deadline is generous: a
// delivery is picked up within a second, a retry five seconds after a
// failure.
func (e *logoutEndpoint) next(t *testing.T, what string) string {
	t.Helper()
	select {
	case tok := <-e.tokens:
		return tok
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: no logout token within a minute", what)
		return ""
	}
}

// logoutJWT is a logout token's claims (Back-Channel Logout 1.0 section
// 2.4).
type logoutJWT struct {
	jwt.Claims
	SID    string                    `json:"sid"`
	Events map[string]map[string]any `json:"events"`
	Nonce  *string                   `json:"nonce"`
}

// verifyLogoutToken checks a logout token against the provider's JWKS and
// section 2.4, for client aud about the user and session of the ID token
// id.
func verifyLogoutToken(t *testing.T, p running, token, aud string, id *oidc.IDToken) {
	t.Helper()
	var c logoutJWT
	verifyJWT(t, p, token, "logout+jwt", &c)
	if err := c.Validate(jwt.Expected{Issuer: p.issuer, AnyAudience: jwt.Audience{aud}, Subject: id.Subject, Time: time.Now()}); err != nil {
		t.Fatalf("logout token claims: %v", err)
	}
	if c.IssuedAt == nil || c.Expiry == nil || c.ID == "" {
		t.Fatalf("logout token without iat, exp or jti: %+v", c)
	}
	var idClaims struct {
		SID string `json:"sid"`
	}
	if err := id.Claims(&idClaims); err != nil {
		t.Fatal(err)
	}
	if c.SID == "" || c.SID != idClaims.SID {
		t.Fatalf("logout token sid %q, the ID token's %q", c.SID, idClaims.SID)
	}
	if ev, ok := c.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok || len(ev) != 0 || len(c.Events) != 1 {
		t.Fatalf("events %v, want only the back-channel logout event, {}", c.Events)
	}
	if c.Nonce != nil {
		t.Fatalf("a logout token with a nonce %q", *c.Nonce)
	}
}

// appFor is the relying party of a back-channel logout test app.
func appFor(t *testing.T, p running, clientID string) relyingParty {
	t.Helper()
	return newAppFor(t, p, clientID, oidc.ScopeOpenID, "profile")
}

// backchannelClients are two apps taking back-channel logouts at ok and
// flaky.
func backchannelClients(ok, flaky string) string {
	return fmt.Sprintf(`  - id: chat-bcl
    name: Chat with back-channel logout
    type: confidential
    secret: %[1]s
    redirect_uris: [%[2]s]
    scopes: [openid, profile]
    skip_consent: true
    backchannel_logout_uri: %[3]s
    backchannel_logout_session_required: true
  - id: chat-flaky
    name: Chat whose logout endpoint fails once
    type: confidential
    secret: %[1]s
    redirect_uris: [%[2]s]
    scopes: [openid, profile]
    skip_consent: true
    backchannel_logout_uri: %[4]s
`, webSecret, webCallback, ok, flaky)
}

func TestBackchannelLogout(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			dbURL := store
			if store == "postgres" {
				dbURL = pgtest.MigratedURL(t)
			}
			ok := newLogoutEndpoint(t)
			flaky := newLogoutEndpoint(t, http.StatusInternalServerError)
			mb := newMailbox(t)
			host, port, _ := strings.Cut(mb.addr, ":")
			p := startProviderClientsConfig(t, map[string]string{"TOKENIM_DATABASE_URL": dbURL},
				backchannelClients(ok.srv.URL+"/backchannel-logout?app=chat", flaky.srv.URL+"/logout"), `
mail:
  smtp: {host: `+host+`, port: `+port+`, security: none}
metrics:
  listen: 127.0.0.1:0
`)

			b := newBrowser(t, p.issuer, webCallback)
			_, id, _ := appFor(t, p, "chat-bcl").loginOn(t, b, p)
			_, flakyID, _ := appFor(t, p, "chat-flaky").loginOn(t, b, p)
			// chat-web signed in too, but registered no logout URI.
			newApp(t, p).loginOn(t, b, p)

			t.Run("signing out sends each app of the session a logout token", func(t *testing.T) {
				b.submit(b.get(p.issuer+"/oauth2/logout"), nil)
				verifyLogoutToken(t, p, ok.next(t, "sign-out"), "chat-bcl", id)
			})

			t.Run("an app that answered 500 gets it again, and it is recorded once delivered", func(t *testing.T) {
				first := flaky.next(t, "first attempt")
				verifyLogoutToken(t, p, first, "chat-flaky", flakyID)
				second := flaky.next(t, "retry")
				verifyLogoutToken(t, p, second, "chat-flaky", flakyID)
				if first == second {
					t.Fatal("the retry sent the same token: each attempt must be signed afresh")
				}
				// The sender logs each outcome, with the client and the attempt.
				delivered := func() bool {
					for line := range strings.Lines(p.logs.String()) {
						var l struct {
							Msg      string `json:"msg"`
							ClientID string `json:"client_id"`
							Attempt  int    `json:"attempt"`
						}
						if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "back-channel logout delivered" && l.ClientID == "chat-flaky" && l.Attempt == 2 {
							return true
						}
					}
					return false
				}
				if !waitFor(delivered) {
					t.Fatalf("no log line of the delivery at the second attempt:\n%s", p.logs.String())
				}
				// And counts them: the first attempt at chat-flaky retried,
				// both apps delivered.
				counted := func() bool {
					_, body := get(t, "http://"+metricsAddr(t, p)+"/metrics")
					return strings.Contains(body, "\n"+`tokenim_backchannel_deliveries_total{outcome="retried"} 1`) &&
						strings.Contains(body, "\n"+`tokenim_backchannel_deliveries_total{outcome="delivered"} 2`)
				}
				if !waitFor(counted) {
					_, body := get(t, "http://"+metricsAddr(t, p)+"/metrics")
					t.Fatalf("deliveries not counted:\n%s", body)
				}
				if store == "postgres" {
					waitForRecord(t, p, "chat-flaky", id.Subject, "logout.notified success attempts=2 http_status=200")
					waitForRecord(t, p, "chat-bcl", id.Subject, "logout.notified success attempts=1 http_status=200")
				}
			})

			t.Run("signing out everywhere sends a logout token for each session", func(t *testing.T) {
				b1, b2 := newBrowser(t, p.issuer, webCallback), newBrowser(t, p.issuer, webCallback)
				_, id1, _ := appFor(t, p, "chat-bcl").loginOn(t, b1, p)
				_, id2, _ := appFor(t, p, "chat-bcl").loginOn(t, b2, p)
				b2.submitTo(b2.get(p.issuer+"/account"), "/account/sessions/signout-all", nil)
				got := map[string]string{}
				for range 2 {
					tok := ok.next(t, "signing out everywhere")
					var c logoutJWT
					verifyJWT(t, p, tok, "logout+jwt", &c)
					got[c.SID] = tok
				}
				for _, id := range []*oidc.IDToken{id1, id2} {
					var idc struct {
						SID string `json:"sid"`
					}
					_ = id.Claims(&idc)
					tok, found := got[idc.SID]
					if !found {
						t.Fatalf("no logout token for session %s; got sids %v", idc.SID, got)
					}
					verifyLogoutToken(t, p, tok, "chat-bcl", id)
				}
			})

			t.Run("a password reset sends a logout token for the session signed in elsewhere", func(t *testing.T) {
				elsewhere := newBrowser(t, p.issuer, webCallback)
				_, id3, _ := appFor(t, p, "chat-bcl").loginOn(t, elsewhere, p)
				b3 := newBrowser(t, p.issuer, webCallback)
				b3.submit(b3.get(p.issuer+"/password/forgot"), map[string]string{"email": annEmail})
				_, _, text := mb.next(t)
				reset := link(t, text, p.issuer+"/password/reset?")
				// The same password again, so the next steps sign in as before.
				if pg := b3.submit(b3.get(reset), map[string]string{"password": annPassword, "confirm": annPassword}); pg.status != http.StatusOK {
					t.Fatalf("reset: %d\n%s", pg.status, pg.body)
				}
				verifyLogoutToken(t, p, ok.next(t, "password reset"), "chat-bcl", id3)
			})

			t.Run("an admin disabling the user sends a logout token for the new session", func(t *testing.T) {
				b2 := newBrowser(t, p.issuer, webCallback)
				_, id2, _ := appFor(t, p, "chat-bcl").loginOn(t, b2, p)
				ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
				if code, body := ops.call("PATCH", "/admin/api/v1/users/"+id2.Subject, `{"status":"disabled"}`); code != 200 {
					t.Fatalf("disable: %d %v", code, body)
				}
				verifyLogoutToken(t, p, ok.next(t, "disabling"), "chat-bcl", id2)
			})

			select {
			case tok := <-ok.tokens:
				t.Errorf("an extra logout token was sent to chat-bcl: %s", tok)
			case tok := <-flaky.tokens:
				t.Errorf("an extra logout token was sent to chat-flaky: %s", tok)
			default:
			}
		})
	}
}

// waitFor polls cond until it holds, for up to a minute, and reports
// whether it did.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// waitForRecord waits for the authorization record of a back-channel
// logout of subject at clientID, described as "action outcome
// attempts=N http_status=S".
func waitForRecord(t *testing.T, p running, clientID, subject, want string) {
	t.Helper()
	s := storeOf(t, p.vars)
	var seen []string
	found := waitFor(func() bool {
		recs, err := s.ListAudit(t.Context(), storage.AuditFilter{ClientID: clientID, Actions: []string{audit.LogoutNotified, audit.LogoutFailed}}, storage.AuditCursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		seen = seen[:0]
		for _, r := range recs {
			got := fmt.Sprintf("%s %s attempts=%s http_status=%s", r.Action, r.Outcome, r.Detail["attempts"], r.Detail["http_status"])
			if got == want && r.Subject == subject && r.ActorType == audit.ActorSystem {
				return true
			}
			seen = append(seen, got)
		}
		return false
	})
	if !found {
		t.Fatalf("no record %q of %s for %s; records: %q", want, clientID, subject, seen)
	}
}

func TestClientsBackchannelLogout(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	createClient(t, vars, "--id", "web-bcl", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb",
		"--backchannel-logout-uri", "https://app.example/backchannel-logout", "--backchannel-logout-session-required")
	rec, err := storeOf(t, vars).GetClient(t.Context(), "web-bcl")
	if err != nil {
		t.Fatal(err)
	}
	if rec.BackchannelLogoutURI != "https://app.example/backchannel-logout" || !rec.BackchannelLogoutSessionRequired {
		t.Fatalf("stored %q, session required %v", rec.BackchannelLogoutURI, rec.BackchannelLogoutSessionRequired)
	}

	t.Run("list shows the URI in JSON", func(t *testing.T) {
		var listed []struct {
			ClientID        string `json:"client_id"`
			URI             string `json:"backchannel_logout_uri"`
			SessionRequired bool   `json:"backchannel_logout_session_required"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, vars, "", "clients", "list", "--output", "json").stdout), &listed); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 1 || listed[0].URI != rec.BackchannelLogoutURI || !listed[0].SessionRequired {
			t.Fatalf("json list %+v", listed)
		}
	})

	for _, tc := range []struct {
		name, field string
		args        []string
	}{
		{"plain http to a public host", "backchannel_logout_uri", []string{"--backchannel-logout-uri", "http://app.example/logout"}},
		{"a fragment", "backchannel_logout_uri", []string{"--backchannel-logout-uri", "https://app.example/logout#x"}},
		{"a session required without a URI", "backchannel_logout_session_required", []string{"--backchannel-logout-session-required"}},
	} {
		t.Run(tc.name+" exits 2 naming the field", func(t *testing.T) {
			args := append([]string{"clients", "create", "--name", "Bad", "--type", "confidential", "--redirect-uri", "https://app.example/cb"}, tc.args...)
			r := runCmd(t, vars, "", args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.field) {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}
