package main

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

const otherSecret = "another-system-secret-0123456789abcd"

// serveRefused runs serve and reports its exit code and log; a serve that
// starts listening is stopped and fails the test.
func serveRefused(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	started := false
	code := run(ctx, append([]string{"serve"}, args...), env{
		stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: logs, lookup: lookupIn(vars),
		ready: func(string) { started = true; cancel() },
	})
	if started {
		t.Fatalf("serve started:\n%s", logs.String())
	}
	return code, logs.String()
}

// A node started on a Postgres store with another system secret than the
// one the store was set up with does not start, and says which setting
// and what to do; keys rotate refuses too, sealing no key under it.
func TestWrongSystemSecretRefusedAtStart(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	wrong := maps.Clone(p.vars)
	wrong["TOKENIM_SECRETS_SYSTEM"] = otherSecret

	code, logs := serveRefused(t, wrong, "--config", p.config, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(logs, "secrets.system") || !strings.Contains(logs, "start every node with that secret") {
		t.Fatalf("serve with another secret: exit %d, want non-zero naming secrets.system and what to do:\n%s", code, logs)
	}

	before, err := storeOf(t, p.vars).ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, wrong, "", "keys", "rotate", "--config", p.config)
	if r.code == 0 || !strings.Contains(r.stderr, "secrets.system") {
		t.Fatalf("keys rotate with another secret: exit %d, want non-zero naming secrets.system:\n%s", r.code, r.stderr)
	}
	after, err := storeOf(t, p.vars).ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("keys rotate with another secret stored a key: %d keys, had %d", len(after), len(before))
	}

	// The right secret still starts.
	_, _, _, stop := launchServe(t, p.vars, "--config", p.config, "--listen", "127.0.0.1:0")
	stop()
}

// readiness reads /health/ready's status.
func readiness(t *testing.T, issuer string) (int, string) {
	t.Helper()
	resp, err := http.Get(issuer + "/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body.Status
}

// A running node whose current signing key stops opening (another node,
// started with another secret before the start check, rotated it) is no
// longer ready; the memory store's node, whose key it made, is.
func TestReadyOnlyWhenSigning(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		p := startProvider(t, "memory")
		if code, status := readiness(t, p.issuer); code != http.StatusOK || status != "ok" {
			t.Fatalf("ready: %d %q, want 200 ok:\n%s", code, status, p.logs.String())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		p := startProvider(t, pgtest.MigratedURL(t))
		if code, status := readiness(t, p.issuer); code != http.StatusOK || status != "ok" {
			t.Fatalf("ready before: %d %q, want 200 ok:\n%s", code, status, p.logs.String())
		}
		// A key sealed under another secret becomes current in the store.
		ring, err := secret.NewKeyring(otherSecret)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := memory.New()
		km, err := keys.New(keys.Config{Store: elsewhere, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: keys.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if err := km.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		sealed, err := elsewhere.ListSigningKeys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := storeOf(t, p.vars).RotateSigningKey(t.Context(), sealed[0], time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The node re-reads its keys every second (keys.refresh: 1s).
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, status := readiness(t, p.issuer)
			if code == http.StatusServiceUnavailable && status == "unavailable" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ready with an unusable signing key: %d %q", code, status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// clientCredentials asks the token endpoint for a token as the client
// (HTTP Basic) and returns the status and body.
func clientCredentials(t *testing.T, issuer, id, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, issuer+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// totpSignIn signs Ann in to the web app with a fresh browser, giving the
// TOTP code of at, and reports whether the app got its code.
func totpSignIn(t *testing.T, p running, totpSecret string, at time.Time) bool {
	t.Helper()
	b := newBrowser(t, p.issuer, webCallback)
	pg := signIn(t, b, b.get(newApp(t, p).start(t).url), annEmail, annPassword)
	if !strings.Contains(pg.url.Path, "/login/mfa") {
		t.Fatalf("after the password: %d %s, want the TOTP step", pg.status, pg.url)
	}
	code, err := totp.GenerateCode(totpSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	pg = complete(t, b, b.submit(pg, map[string]string{"code": code}))
	return pg.status == http.StatusSeeOther && strings.HasPrefix(pg.location, webCallback) && strings.Contains(pg.location, "code=")
}

// The system secret is rotated as the README says: a provider set up with
// secret A (a client secret, a TOTP enrolment) restarts with B as
// secrets.system and A in secrets.system_previous, and works on; secrets
// status names what still needs A, secrets reseal moves the signing keys
// and TOTP secrets to B, after which B alone starts, and the client secret
// status named is the one refused.
func TestSystemSecretRotation(t *testing.T) {
	t.Parallel()
	const secretA, secretB = "e2e-system-secret-0123456789abcdefgh", "the-new-system-secret-0123456789abcdefgh"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := running{issuer: "http://" + addr, config: writeProviderConfig(t, "http://"+addr, "")}
	p.vars = map[string]string{"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t), "TOKENIM_SECRETS_SYSTEM": secretA}
	rotating := maps.Clone(p.vars)
	rotating["TOKENIM_SECRETS_SYSTEM"], rotating["TOKENIM_SECRETS_SYSTEM_PREVIOUS"] = secretB, secretA
	after := maps.Clone(p.vars)
	after["TOKENIM_SECRETS_SYSTEM"] = secretB

	// Under A: two bots, and Ann enrols TOTP.
	_, _, _, stop := launchServe(t, p.vars, "--config", p.config, "--listen", addr)
	used := createClient(t, p.vars, "--config", p.config, "--id", "bot-used", "--name", "Used", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:presence.read", "--expires", "never")
	idle := createClient(t, p.vars, "--config", p.config, "--id", "bot-idle", "--name", "Idle", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:presence.read", "--expires", "never")
	b := newBrowser(t, p.issuer, webCallback)
	complete(t, b, b.get(newApp(t, p).start(t).url))
	enrol := b.submitTo(b.get(p.issuer+"/account"), "/account/mfa/enrol", nil)
	m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)
	if m == nil {
		t.Fatalf("enrolment page: %d\n%s", enrol.status, enrol.body)
	}
	totpSecret := strings.ReplaceAll(m[1], " ", "")
	// Each code is of a later time step than the one before, each within
	// a step of the clock: confirm, sign-in during the rotation, sign-in
	// after it.
	// A code of the step before is checked within the server's skew only
	// if the clock does not enter a new step on the way: near a step's
	// end, the next step is waited for.
	if left := 30*time.Second - time.Duration(time.Now().UnixNano())%(30*time.Second); left < 5*time.Second {
		time.Sleep(left)
	}
	code, _ := totp.GenerateCode(totpSecret, time.Now().Add(-30*time.Second))
	if done := b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code}); done.status != http.StatusOK {
		t.Fatalf("confirm: %d", done.status)
	}
	stop()
	// A connector made in the console, its client secret sealed under A.
	ringA, err := secret.NewKeyring(secretA)
	if err != nil {
		t.Fatal(err)
	}
	sealerA, err := ringA.Sealer(secret.PurposeUpstreams)
	if err != nil {
		t.Fatal(err)
	}
	db := storeOf(t, p.vars)
	if err := db.CreateConnector(t.Context(), storage.Connector{ID: "corp", Kind: "oidc", Name: "Corp",
		SealedSecret: upstream.SealSecret(sealerA, "corp", "corp-client-secret"), CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	t.Run("a bad previous secret exits 2 naming it", func(t *testing.T) {
		bad := maps.Clone(rotating)
		bad["TOKENIM_SECRETS_SYSTEM_PREVIOUS"] = "too-short"
		code, logs := serveRefused(t, bad, "--config", p.config, "--listen", "127.0.0.1:0")
		if code != 2 || !strings.Contains(logs, "secrets.system_previous[0]") {
			t.Fatalf("exit %d, want 2 naming secrets.system_previous[0]:\n%s", code, logs)
		}
	})

	// Under B, accepting A.
	_, _, logs, stop := launchServe(t, rotating, "--config", p.config, "--listen", addr)
	if !strings.Contains(logs.String(), "system secret rotation under way") {
		t.Errorf("serve does not say a rotation is under way:\n%s", logs)
	}
	if status, body := clientCredentials(t, p.issuer, used.ClientID, used.ClientSecret); status != http.StatusOK {
		t.Fatalf("a client secret hashed under the previous secret: %d %s", status, body)
	}
	if !totpSignIn(t, p, totpSecret, time.Now()) {
		t.Fatal("TOTP sign-in with a secret sealed under the previous secret failed")
	}
	status := mustRun(t, rotating, "", "secrets", "status", "--config", p.config).stdout
	for _, want := range []string{
		"signing keys: 2 stored, 2 sealed under a previous secret", // one of each algorithm
		"TOTP secrets: 1 stored, 1 sealed under a previous secret",
		"upstream secrets: 1 stored, 1 sealed under a previous secret",
		"client bot-idle, secret s1",
		"recovery codes: 1 users hold codes hashed under a previous secret",
		"a previous system secret is still needed by:",
	} {
		if !strings.Contains(status, want) {
			t.Errorf("secrets status does not say %q:\n%s", want, status)
		}
	}
	if strings.Contains(status, "bot-used") {
		t.Errorf("secrets status lists the client secret used since the switch, hashed again under the new secret:\n%s", status)
	}
	r := mustRun(t, rotating, "", "secrets", "reseal", "--config", p.config)
	if !strings.Contains(r.stdout, "signing keys: 2 stored, 2 resealed") || !strings.Contains(r.stdout, "TOTP secrets: 1 stored, 1 resealed") ||
		!strings.Contains(r.stdout, "upstream secrets: 1 stored, 1 resealed") {
		t.Fatalf("secrets reseal printed:\n%s", r.stdout)
	}
	r = mustRun(t, rotating, "", "secrets", "reseal", "--config", p.config)
	if !strings.Contains(r.stdout, "signing keys: 2 stored, 0 resealed") || !strings.Contains(r.stdout, "TOTP secrets: 1 stored, 0 resealed") ||
		!strings.Contains(r.stdout, "upstream secrets: 1 stored, 0 resealed") {
		t.Fatalf("secrets reseal run again printed:\n%s", r.stdout)
	}
	status = mustRun(t, rotating, "", "secrets", "status", "--config", p.config).stdout
	if strings.Contains(status, "signing keys (run") || strings.Contains(status, "TOTP secrets (run") || strings.Contains(status, "upstream secrets (run") ||
		!strings.Contains(status, "client secrets (until each is used once") {
		t.Errorf("secrets status after the reseal:\n%s", status)
	}
	stop()

	// A secret that is neither A nor B opens no key: exit 2.
	neither := maps.Clone(rotating)
	neither["TOKENIM_SECRETS_SYSTEM"] = otherSecret
	if code, logs := serveRefused(t, neither, "--config", p.config, "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(logs, "secrets.system") {
		t.Fatalf("serve under a secret that opens no key: exit %d, want 2 naming secrets.system:\n%s", code, logs)
	}

	// Under B alone the connector's secret opens.
	ringB, err := secret.NewKeyring(secretB)
	if err != nil {
		t.Fatal(err)
	}
	sealerB, err := ringB.Sealer(secret.PurposeUpstreams)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := db.GetConnector(t.Context(), "corp"); err != nil {
		t.Fatal(err)
	} else if plain, err := upstream.OpenSecret(sealerB, "corp", c.SealedSecret); err != nil || plain != "corp-client-secret" {
		t.Fatalf("the connector's secret under the new system secret alone: %q, %v", plain, err)
	}

	// Under B alone.
	_, _, _, stop = launchServe(t, after, "--config", p.config, "--listen", addr)
	defer stop()
	if !totpSignIn(t, p, totpSecret, time.Now().Add(30*time.Second)) {
		t.Fatal("TOTP sign-in after the reseal, under the new secret alone, failed")
	}
	if status, body := clientCredentials(t, p.issuer, used.ClientID, used.ClientSecret); status != http.StatusOK {
		t.Fatalf("the client secret used during the rotation: %d %s", status, body)
	}
	if status, body := clientCredentials(t, p.issuer, idle.ClientID, idle.ClientSecret); status != http.StatusUnauthorized || !strings.Contains(body, "invalid_client") {
		t.Fatalf("the client secret secrets status named, under the new secret alone: %d %s, want 401 invalid_client", status, body)
	}
}
