package main

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// want is a record a step must produce: each field set must match.
type want struct {
	action, outcome, reason string
	actorType, actorID      string
	subject, clientID       string
	scopes                  []string
	detail                  map[string]string
}

func (w want) matches(r storage.AuditRecord) bool {
	switch {
	case r.Action != w.action,
		r.Outcome != cmp.Or(w.outcome, audit.Success),
		w.reason != "" && r.Reason != w.reason,
		r.ActorType != w.actorType,
		w.actorID != "" && r.ActorID != w.actorID,
		r.Subject != w.subject,
		r.ClientID != w.clientID,
		w.scopes != nil && !sameSet(r.Scopes, w.scopes):
		return false
	}
	for k, v := range w.detail {
		if r.Detail[k] != v {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// trail reads the records a provider wrote since the last look.
type trail struct {
	t     *testing.T
	store storage.Audit
	seen  int64
}

// newRecords returns the records appended since the last call, oldest
// first.
func (tr *trail) newRecords() []storage.AuditRecord {
	tr.t.Helper()
	all, err := tr.store.ListAudit(tr.t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 10000)
	if err != nil {
		tr.t.Fatal(err)
	}
	var out []storage.AuditRecord
	for _, r := range all {
		if r.ID > tr.seen {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b storage.AuditRecord) int { return int(a.ID - b.ID) })
	for _, r := range out {
		tr.seen = max(tr.seen, r.ID)
	}
	return out
}

// expect checks that the records since the last look are exactly the
// wanted ones, each once, and that each carries the request's IP and ID
// when a request made it.
func (tr *trail) expect(step string, wants ...want) []storage.AuditRecord {
	tr.t.Helper()
	got := tr.newRecords()
	used := make([]bool, len(got))
	for _, w := range wants {
		n := 0
		for i, r := range got {
			if !used[i] && w.matches(r) {
				used[i] = true
				n++
				break
			}
		}
		if n == 0 {
			tr.t.Errorf("%s: no record %+v among:\n%s", step, w, describe(got))
		}
	}
	for i, r := range got {
		if !used[i] {
			tr.t.Errorf("%s: unexpected record %s", step, describeOne(r))
		}
		if r.ActorType != audit.ActorCLI && r.ActorType != audit.ActorSystem && (r.ClientIP != "127.0.0.1" || r.RequestID == "") {
			tr.t.Errorf("%s: record %s lacks the request's IP or ID", step, describeOne(r))
		}
	}
	return got
}

func describe(recs []storage.AuditRecord) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString("  " + describeOne(r) + "\n")
	}
	return b.String()
}

func describeOne(r storage.AuditRecord) string {
	return strings.Join([]string{r.Action, r.Outcome, r.Reason, r.ActorType + ":" + r.ActorID, "subject=" + r.Subject,
		"client=" + r.ClientID, "scopes=" + strings.Join(r.Scopes, ","), "detail=" + describeDetail(r.Detail)}, " ")
}

func describeDetail(d map[string]string) string {
	var parts []string
	for k, v := range d {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// TestEveryEventIsRecordedOnce walks real flows over HTTP and the
// commands, and checks after each that exactly the records it should
// produce were appended, with the right fields; then that the chain
// verifies, and that "audit verify" names a record changed or deleted
// behind the provider's back.
func TestEveryEventIsRecordedOnce(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.MigratedURL(t)
	p, mb := accountsProvider(t, dbURL)
	store := storeOf(t, p.vars)
	tr := &trail{t: t, store: store}
	ctx := t.Context()
	ann, err := store.GetUserByEmail(ctx, annEmail)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := store.GetUserByEmail(ctx, "dev@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tr.newRecords() // whatever start-up wrote
	a := newApp(t, p)
	cli := func(args ...string) result {
		return mustRun(t, p.vars, "", append(args[:1:1], append([]string{"--config", p.config}, args[1:]...)...)...)
	}
	cliSub := func(cmd, sub string, args ...string) result {
		return mustRun(t, p.vars, "", append([]string{cmd, sub, "--config", p.config}, args...)...)
	}
	webScopes := []string{"openid", "profile", "email", "offline_access", "im:messages.read"}

	// Sign-in refusals.
	b0 := newBrowser(t, p.issuer, webCallback)
	signIn(t, b0, b0.get(a.start(t).url), annEmail, "wrong-guess")
	tr.expect("a wrong password", want{action: audit.SignIn, outcome: audit.Failure, reason: "wrong_password", actorType: audit.ActorAnonymous, subject: ann.ID})
	signIn(t, b0, b0.get(a.start(t).url), "ghost@example.com", "wrong-guess")
	tr.expect("an unknown email", want{action: audit.SignIn, outcome: audit.Failure, reason: "unknown_account", actorType: audit.ActorAnonymous,
		detail: map[string]string{"email": "ghost@example.com"}})
	for range 2 {
		signIn(t, b0, b0.get(a.start(t).url), "mallory@example.com", "wrong-guess")
	}
	tr.newRecords()
	signIn(t, b0, b0.get(a.start(t).url), "mallory@example.com", "wrong-guess")
	tr.expect("the failure that locks an account out",
		want{action: audit.SignIn, outcome: audit.Failure, reason: "unknown_account", actorType: audit.ActorAnonymous},
		want{action: audit.Lockout, outcome: audit.Failure, reason: "too_many_failures", actorType: audit.ActorAnonymous, detail: map[string]string{"email": "mallory@example.com"}})
	signIn(t, b0, b0.get(a.start(t).url), "mallory@example.com", "wrong-guess")
	tr.expect("an attempt during the lockout", want{action: audit.SignIn, outcome: audit.Failure, reason: "throttled", actorType: audit.ActorAnonymous})

	// Sign-in, consent and tokens.
	b := newBrowser(t, p.issuer, webCallback)
	tok, _, _ := a.login(t, b, p)
	tr.expect("sign-in, consent and code exchange",
		want{action: audit.SignIn, actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID, clientID: "chat-web", detail: map[string]string{"amr": "pwd"}},
		want{action: audit.ConsentGranted, actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID, clientID: "chat-web", scopes: webScopes, detail: map[string]string{"remembered": "true"}},
		want{action: audit.TokenIssued, actorType: audit.ActorClient, actorID: "chat-web", subject: ann.ID, clientID: "chat-web", scopes: webScopes, detail: map[string]string{"grant_type": "authorization_code"}})
	fresh, err := refresh(t, a, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	tr.expect("a refresh", want{action: audit.TokenIssued, actorType: audit.ActorClient, actorID: "chat-web", subject: ann.ID, clientID: "chat-web", scopes: webScopes, detail: map[string]string{"grant_type": "refresh_token"}})
	if _, err := refresh(t, a, tok.RefreshToken); err == nil {
		t.Fatal("a rotated refresh token was accepted")
	}
	tr.expect("a rotated refresh token presented again", want{action: audit.RefreshReuse, outcome: audit.Failure, actorType: audit.ActorClient, actorID: "chat-web", subject: ann.ID, clientID: "chat-web", scopes: webScopes})
	_ = fresh

	cc := clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: p.issuer + "/oauth2/token", Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader}
	opsToken, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tr.expect("client credentials", want{action: audit.TokenIssued, actorType: audit.ActorClient, actorID: "ops", clientID: "ops", scopes: []string{"admin"}, detail: map[string]string{"grant_type": "client_credentials"}})
	revokeReq, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {opsToken.AccessToken}}.Encode()))
	revokeReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	revokeReq.SetBasicAuth("ops", gatewaySecret)
	resp, err := http.DefaultClient.Do(revokeReq)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	tr.expect("RFC 7009 revocation", want{action: audit.TokenRevoked, reason: "rfc7009", actorType: audit.ActorClient, actorID: "ops", clientID: "ops", scopes: []string{"admin"}, detail: map[string]string{"token_type": "access_token"}})

	// The account page.
	acct := b.get(p.issuer + "/account")
	b.submitTo(acct, "/account/apps/revoke", map[string]string{"client_id": "chat-web"})
	tr.expect("withdrawing an app's access", want{action: audit.ConsentWithdrawn, reason: "by_user", actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID, clientID: "chat-web", scopes: webScopes})
	enrol := b.submitTo(b.get(p.issuer+"/account"), "/account/mfa/enrol", nil)
	m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)
	if m == nil {
		t.Fatalf("no TOTP secret on the enrolment page:\n%s", enrol.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code})
	tr.expect("turning two-step verification on", want{action: audit.MFAEnrolled, actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID})
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	b.submitTo(b.get(p.issuer+"/account"), "/account/mfa/disable", map[string]string{"password": annPassword, "code": next})
	tr.expect("turning it off", want{action: audit.MFADisabled, actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID})
	b.submitTo(b.get(p.issuer+"/account"), "/account/sessions/signout-all", nil)
	tr.expect("signing out everywhere else", want{action: audit.SignOutEverywhere, reason: "by_user", actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID})
	b.submit(b.get(p.issuer+"/oauth2/logout"), nil)
	tr.expect("signing out", want{action: audit.SignOut, actorType: audit.ActorUser, actorID: ann.ID, subject: ann.ID})

	// Registration, activation, password reset.
	b2 := newBrowser(t, p.issuer, webCallback)
	b2.submit(b2.get(p.issuer+"/register"), map[string]string{"email": "dana@example.com", "name": "Dana", "password": "violet-harbour-42"})
	dana, err := store.GetUserByEmail(ctx, "dana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tr.expect("registering", want{action: audit.UserCreated, reason: "registered", actorType: audit.ActorUser, actorID: dana.ID, subject: dana.ID, detail: map[string]string{"email": "dana@example.com"}})
	_, _, text := mb.next(t)
	b2.submit(b2.get(link(t, text, p.issuer+"/activate?")), nil)
	tr.expect("activating", want{action: audit.UserActivated, actorType: audit.ActorUser, actorID: dana.ID, subject: dana.ID})
	b2.submit(b2.get(p.issuer+"/password/forgot"), map[string]string{"email": "dana@example.com"})
	_, _, text = mb.next(t)
	reset := link(t, text, p.issuer+"/password/reset?")
	b2.submit(b2.get(reset), map[string]string{"password": "new-secret-pass-1", "confirm": "new-secret-pass-1"})
	tr.expect("resetting a password", want{action: audit.PasswordReset, actorType: audit.ActorUser, actorID: dana.ID, subject: dana.ID})

	// The developer portal.
	bd := newBrowser(t, p.issuer, webCallback)
	bd.submit(bd.get(p.issuer+"/apps"), map[string]string{"email": "dev@example.com", "password": annPassword})
	tr.expect("a developer signing in", want{action: audit.SignIn, actorType: audit.ActorUser, actorID: dev.ID, subject: dev.ID})
	created := bd.submitTo(bd.get(p.issuer+"/apps/new"), "/apps", map[string]string{"name": "Standup bot", "kind": "service", "scope": "im:messages.send"})
	appID, _ := shownSecret(t, created)
	recs := tr.expect("registering an app",
		want{action: audit.AppCreated, actorType: audit.ActorUser, actorID: dev.ID, clientID: appID, detail: map[string]string{"kind": "service", "requested_scopes": "im:messages.send", "access_token_format": "opaque", "require_par": "false"}},
		want{action: audit.SecretCreated, actorType: audit.ActorUser, actorID: dev.ID, clientID: appID})
	firstSecret := ""
	for _, r := range recs {
		if r.Action == audit.SecretCreated {
			firstSecret = r.Detail["secret_id"]
		}
	}
	edit := bd.get(p.issuer + "/apps/" + appID)
	bd.submitTo(edit, "/apps/"+appID, map[string]string{"name": "Standup bot 2", "scope": "im:messages.send", "access_token_format": "jwt"})
	tr.expect("changing it", want{action: audit.AppChanged, actorType: audit.ActorUser, actorID: dev.ID, clientID: appID, detail: map[string]string{"name": "Standup bot 2", "access_token_format": "jwt"}})
	bd.submitTo(bd.get(p.issuer+"/apps/"+appID), "/apps/"+appID+"/secrets", nil)
	tr.expect("rotating its secret", want{action: audit.SecretRotated, actorType: audit.ActorUser, actorID: dev.ID, clientID: appID})
	bd.submitTo(bd.get(p.issuer+"/apps/"+appID), "/apps/"+appID+"/secrets/"+firstSecret+"/revoke", nil)
	tr.expect("revoking the old one", want{action: audit.SecretRevoked, reason: "by_owner", actorType: audit.ActorUser, actorID: dev.ID, clientID: appID, detail: map[string]string{"secret_id": firstSecret}})
	bd.submitTo(bd.get(p.issuer+"/apps/"+appID+"/delete"), "/apps/"+appID+"/delete", map[string]string{"confirm": "yes"})
	tr.expect("deleting it", want{action: audit.AppDeleted, actorType: audit.ActorUser, actorID: dev.ID, clientID: appID})

	// Operators' commands.
	cliSub("users", "set-role", "--email", annEmail, "--role", "developer")
	tr.expect("users set-role", want{action: audit.RoleChanged, actorType: audit.ActorCLI, subject: ann.ID, detail: map[string]string{"to": "developer"}})
	cliSub("users", "reset-mfa", "--email", "dana@example.com")
	tr.expect("users reset-mfa", want{action: audit.MFAReset, actorType: audit.ActorCLI, subject: dana.ID})
	mustRun(t, p.vars, "cli-pass-0123456789\n", "users", "create", "--config", p.config, "--email", "eve@example.com", "--password-stdin")
	eve, err := store.GetUserByEmail(ctx, "eve@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tr.expect("users create", want{action: audit.UserCreated, actorType: audit.ActorCLI, subject: eve.ID, detail: map[string]string{"email": "eve@example.com"}})
	cliSub("clients", "create", "--id", "cli-bot", "--name", "CLI bot", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:messages.send")
	tr.expect("clients create",
		want{action: audit.AppCreated, actorType: audit.ActorCLI, clientID: "cli-bot", scopes: []string{"im:messages.send"}},
		want{action: audit.SecretCreated, actorType: audit.ActorCLI, clientID: "cli-bot"})
	a.login(t, newBrowser(t, p.issuer, webCallback), p)
	tr.newRecords()
	cliSub("grants", "revoke", "--user", annEmail, "--app", "chat-web")
	tr.expect("grants revoke", want{action: audit.ConsentWithdrawn, actorType: audit.ActorCLI, subject: ann.ID, clientID: "chat-web", scopes: webScopes})

	// A secret's life ending, noticed by the janitor.
	if _, err := store.UpdateClient(ctx, "cli-bot", func(c storage.Client) (storage.Client, error) {
		c.Secrets[0].ExpiresAt = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	cli("janitor")
	tr.expect("the janitor after a secret expired", want{action: audit.SecretExpired, reason: "lifetime_ended", actorType: audit.ActorSystem, clientID: "cli-bot"})
	cli("janitor")
	tr.expect("the janitor again")

	out := cliSub("audit", "export", "--format", "jsonl", "--user", annEmail)
	if n := strings.Count(out.stdout, "\n"); n < 10 || !strings.Contains(out.stdout, `"action":"signin"`) {
		t.Errorf("export of Ann's records: %d lines\n%s", n, out.stdout)
	}
	tr.expect("audit export", want{action: audit.AuditExported, actorType: audit.ActorCLI, subject: ann.ID, detail: map[string]string{"format": "jsonl"}})

	t.Run("the chain verifies, and names a record changed or deleted behind the provider's back", func(t *testing.T) {
		if r := cliSub("audit", "verify"); !strings.Contains(r.stdout, "chain verified") {
			t.Fatalf("verify: %s", r.stdout)
		}
		var victim storage.AuditRecord
		all, err := store.ChainAudit(ctx, 0, 10000)
		if err != nil || len(all) < 40 {
			t.Fatalf("chain: %d records, %v", len(all), err)
		}
		victim = all[len(all)/2]
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		// The append-only trigger stops the provider's own mistakes; a
		// superuser gets around it.
		exec := func(sql string, args ...any) {
			t.Helper()
			if _, err := conn.Exec(ctx, sql, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`SET session_replication_role = replica`)
		exec(`UPDATE audit_records SET outcome = 'success', reason = '' WHERE id = $1`, victim.ID)
		r := runCmd(t, p.vars, "", "audit", "verify", "--config", p.config)
		wantMsg := "record " + itoa(victim.Seq) + " (id " + itoa(victim.ID) + ") was altered"
		if r.code != 1 || !strings.Contains(r.stderr, wantMsg) {
			t.Fatalf("verify after an UPDATE: exit %d\n%s\nwant %q", r.code, r.stderr, wantMsg)
		}
		exec(`UPDATE audit_records SET outcome = $2, reason = $3 WHERE id = $1`, victim.ID, victim.Outcome, victim.Reason)
		if r := runCmd(t, p.vars, "", "audit", "verify", "--config", p.config); r.code != 0 {
			t.Fatalf("verify after undoing the UPDATE: exit %d\n%s", r.code, r.stderr)
		}
		exec(`DELETE FROM audit_records WHERE id = $1`, victim.ID)
		r = runCmd(t, p.vars, "", "audit", "verify", "--config", p.config)
		if wantMsg := "record " + itoa(victim.Seq) + " is missing"; r.code != 1 || !strings.Contains(r.stderr, wantMsg) {
			t.Fatalf("verify after a DELETE: exit %d\n%s\nwant %q", r.code, r.stderr, wantMsg)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAuditRetention: the janitor prunes records past audit.retention
// from the start of the chain, and verify still verifies the rest from the
// checkpoint it left.
func TestAuditRetention(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	path := configFile(t, vars)
	store := storeOf(t, vars)
	ctx := t.Context()
	now := time.Now().UTC()
	for i, age := range []time.Duration{400 * 24 * time.Hour, 380 * 24 * time.Hour, 370 * 24 * time.Hour, 10 * 24 * time.Hour, time.Hour} {
		if _, err := store.AppendAudit(ctx, storage.AuditRecord{Time: now.Add(-age).Truncate(time.Microsecond), Action: audit.SignIn,
			Outcome: audit.Success, ActorType: audit.ActorUser, ActorID: "u1", Subject: "u1", RequestID: itoa(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if r := mustRun(t, nil, "", "audit", "verify", "--config", path); !strings.Contains(r.stdout, "chain verified: 5 records, 1 to 5") {
		t.Fatalf("before pruning: %s", r.stdout)
	}
	r := mustRun(t, nil, "", "janitor", "--config", path)
	if !regexp.MustCompile(`(?m)^audit_records\s+3$`).MatchString(r.stdout) {
		t.Fatalf("janitor printed:\n%s", r.stdout)
	}
	left, err := store.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
	if err != nil || len(left) != 2 {
		t.Fatalf("records left: %d, %v; want the two younger than a year", len(left), err)
	}
	r = mustRun(t, nil, "", "audit", "verify", "--config", path)
	if !strings.Contains(r.stdout, "3 records pruned before record 4 (checkpoint verified)") || !strings.Contains(r.stdout, "chain verified: 2 records, 4 to 5") {
		t.Fatalf("after pruning: %s", r.stdout)
	}
	t.Run("a checkpoint moved to hide a record is caught", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, vars["TOKENIM_DATABASE_URL"])
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, `UPDATE audit_checkpoints SET seq = seq + 1`); err != nil {
			t.Fatal(err)
		}
		if r := runCmd(t, nil, "", "audit", "verify", "--config", path); r.code != 1 || !strings.Contains(r.stderr, "checkpoint at record 4 is not authentic") {
			t.Fatalf("verify after moving the checkpoint: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}
