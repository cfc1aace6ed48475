package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// signInWithTOTP turns on the signed-in user's two-step verification
// (the account page of pg), then signs them in again with a code of the
// next step, and returns that browser: one the console lets in.
func signInWithTOTP(t *testing.T, p running, b *browser, pg page, email, password string) *browser {
	t.Helper()
	enrol := b.submitTo(pg, "/account/mfa/enrol", nil)
	m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)
	if m == nil {
		t.Fatalf("no TOTP secret on the enrolment page:\n%s", enrol.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	if done := b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code}); done.status != http.StatusOK {
		t.Fatalf("confirm two-step verification: %d", done.status)
	}
	b2 := newBrowser(t, p.issuer)
	mfa := signIn(t, b2, b2.get(p.issuer+"/login?next=/account"), email, password)
	if home := b2.submit(mfa, map[string]string{"code": nextCode(t, secret)}); home.url.Path != "/account" {
		t.Fatalf("after the second step: %d %s", home.status, home.url)
	}
	return b2
}

// TestWorkspaceAdminOfOneWorkspaceCannotTouchAnother: the platform's
// ops service creates two workspaces and invites Ann to administer acme;
// the invitation arrives by mail, Ann accepts it through the page, and
// from then on manages acme in the console, and through an admin client
// and a SCIM token bound to it, but reaches globex through none of them.
func TestWorkspaceAdminOfOneWorkspaceCannotTouchAnother(t *testing.T) {
	t.Parallel()
	p, mb := accountsProvider(t, pgtest.MigratedURL(t))
	ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
	ids := map[string]string{}
	for _, h := range []string{"acme", "globex"} {
		code, ws := ops.call("POST", "/admin/api/v1/workspaces", `{"handle":"`+h+`","name":"`+strings.ToUpper(h[:1])+h[1:]+` Inc"}`)
		if code != http.StatusCreated {
			t.Fatalf("create %s: %d %v", h, code, ws)
		}
		ids[h], _ = ws["id"].(string)
	}
	code, sent := ops.call("POST", "/admin/api/v1/workspaces/"+ids["acme"]+"/invitations", `{"email":"`+annEmail+`","role":"admin"}`)
	if code != http.StatusCreated || sent["mailed"] != true {
		t.Fatalf("invite ann: %d %v", code, sent)
	}
	to, subject, text := mb.next(t)
	if !strings.Contains(to, annEmail) || !strings.Contains(subject, "Acme Inc") || !strings.Contains(text, "as admin") {
		t.Fatalf("invitation mail to %q, subject %q:\n%s", to, subject, text)
	}
	invitation := link(t, text, p.issuer+"/invitations/")
	if invitation != sent["link"] {
		t.Fatalf("the mailed link %q is not the one the API returned %q", invitation, sent["link"])
	}

	// Ann accepts, signed in, through the page and its form.
	b := newBrowser(t, p.issuer)
	signIn(t, b, b.get(p.issuer+"/login?next=/account"), annEmail, annPassword)
	if refused := b.get(p.issuer + "/admin/workspaces"); refused.status != http.StatusForbidden {
		t.Fatalf("ann opened the console before joining: %d", refused.status)
	}
	offer := b.get(invitation)
	if offer.status != http.StatusOK || !strings.Contains(offer.body, "Acme Inc") {
		t.Fatalf("invitation page: %d\n%s", offer.status, offer.body)
	}
	if joined := b.submit(offer, nil); joined.status != http.StatusOK || !strings.Contains(joined.body, "You joined the workspace") {
		t.Fatalf("accepting: %d\n%s", joined.status, joined.body)
	}
	if again := b.get(invitation); again.status == http.StatusOK && strings.Contains(again.body, "Join the workspace") {
		t.Fatal("a used invitation still offers to join")
	}
	// The console wants her second factor, as it does an administrator's.
	if refused := b.get(p.issuer + "/admin/workspaces"); refused.status != http.StatusForbidden || !strings.Contains(refused.body, "two-step verification") {
		t.Fatalf("ann's password-only session in the console: %d", refused.status)
	}
	ann := signInWithTOTP(t, p, b, b.get(p.issuer+"/account"), annEmail, annPassword)

	t.Run("the console shows acme only", func(t *testing.T) {
		list := ann.get(p.issuer + "/admin/workspaces")
		if list.status != http.StatusOK || !strings.Contains(list.body, "Acme Inc") || strings.Contains(list.body, "Globex") {
			t.Fatalf("ann's workspaces: %d\n%s", list.status, list.body)
		}
		if pg := ann.get(p.issuer + "/admin/workspaces/" + ids["globex"]); pg.status != http.StatusNotFound {
			t.Fatalf("globex's page: %d", pg.status)
		}
		if pg := ann.get(p.issuer + "/admin/workspaces/" + ids["globex"] + "/scim-tokens/create?name=x"); pg.status != http.StatusNotFound {
			t.Fatalf("a token for globex: %d", pg.status)
		}
		for _, path := range []string{"/admin/users", "/admin/apps", "/admin/workspaces/create?handle=x1&name=X"} {
			if pg := ann.get(p.issuer + path); pg.status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", path, pg.status)
			}
		}
		if pg := ann.get(p.issuer + "/admin/records?workspace=globex"); pg.status != http.StatusNotFound {
			t.Fatalf("globex's records: %d", pg.status)
		}
		if pg := ann.get(p.issuer + "/admin/records"); pg.status != http.StatusOK || !strings.Contains(pg.body, "Invitation accepted") {
			t.Fatalf("acme's records: %d", pg.status)
		}
	})

	t.Run("a SCIM token made in the console provisions acme only", func(t *testing.T) {
		confirm := ann.get(p.issuer + "/admin/workspaces/" + ids["acme"] + "/scim-tokens/create?name=Entra+ID")
		if confirm.status != http.StatusOK {
			t.Fatalf("confirm: %d", confirm.status)
		}
		made := ann.submit(confirm, nil)
		token := regexp.MustCompile(`tkm_scim_[A-Za-z0-9_-]+`).FindString(made.body)
		if made.status != http.StatusCreated || token == "" {
			t.Fatalf("create: %d", made.status)
		}
		status, created := scimCall(t, p, token, "POST", "/Users",
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"zoe@example.com","displayName":"Zoe"}`)
		if status != http.StatusCreated {
			t.Fatalf("provision: %d %v", status, created)
		}
		if m, err := storeOf(t, p.vars).GetMember(t.Context(), ids["globex"], created["id"].(string)); err == nil {
			t.Fatalf("provisioned into globex: %+v", m)
		}
		if m, err := storeOf(t, p.vars).GetMember(t.Context(), ids["acme"], created["id"].(string)); err != nil {
			t.Fatalf("not provisioned into acme: %+v %v", m, err)
		}
	})

	t.Run("an admin client bound to acme reaches neither globex nor the platform", func(t *testing.T) {
		r := runCmd(t, p.vars, "", "clients", "create", "--config", p.config, "--name", "Acme ops", "--type", "confidential",
			"--grant-type", "client_credentials", "--scope", "admin", "--workspace", "acme", "--output", "json")
		if r.code != 0 {
			t.Fatalf("clients create --workspace: exit %d\n%s", r.code, r.stderr)
		}
		var c struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c.ClientSecret == "" {
			t.Fatalf("clients create printed %q (%v)", r.stdout, err)
		}
		bound := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, c.ClientID, c.ClientSecret, "admin")}
		if code, _ := bound.call("GET", "/admin/api/v1/workspaces/"+ids["acme"]+"/members", ""); code != http.StatusOK {
			t.Fatalf("acme's members: %d", code)
		}
		for _, path := range []string{"/admin/api/v1/workspaces/" + ids["globex"], "/admin/api/v1/workspaces/" + ids["globex"] + "/scim-tokens"} {
			if code, _ := bound.call("GET", path, ""); code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, code)
			}
		}
		if code, _ := bound.call("GET", "/admin/api/v1/users", ""); code != http.StatusForbidden {
			t.Errorf("users: %d, want 403", code)
		}
		if r := runCmd(t, p.vars, "", "audit", "export", "--config", p.config, "--workspace", "globex", "--format", "jsonl"); r.code != 0 ||
			strings.Contains(r.stdout, ids["acme"]) || !strings.Contains(r.stdout, ids["globex"]) {
			t.Fatalf("audit export --workspace globex: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}
