package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// standardWebhooksDir holds the Standard Webhooks reference library
// (standardwebhooks on npm), pinned, and the script verifying deliveries
// with it.
const standardWebhooksDir = "testdata/standardwebhooks"

// hookRequest is a delivery as a receiver got it.
type hookRequest struct {
	Header http.Header
	Body   string
}

// hookReceiver is a subscriber's endpoint on loopback: it answers the
// statuses given, in turn, then 204, and hands every request to the test.
type hookReceiver struct {
	srv *httptest.Server
	got chan hookRequest

	mu       sync.Mutex
	statuses []int
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	t.Helper()
	h := &hookReceiver{got: make(chan hookRequest, 64), statuses: statuses}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook: %s with Content-Type %q, want a JSON POST", r.Method, r.Header.Get("Content-Type"))
		}
		h.got <- hookRequest{Header: r.Header.Clone(), Body: string(body)}
		h.mu.Lock()
		status := http.StatusNoContent
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// next waits for the next delivery. The deadline is generous: a message
// is picked up within a second, a retry five seconds after a failure.
func (h *hookReceiver) next(t *testing.T, what string) hookRequest {
	t.Helper()
	select {
	case r := <-h.got:
		return r
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: no webhook within a minute", what)
		return hookRequest{}
	}
}

func eventType(t *testing.T, r hookRequest) string {
	t.Helper()
	var p struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatalf("webhook body %q: %v", r.Body, err)
	}
	return p.Type
}

// verifyCase is one delivery to check with a secret.
type verifyCase struct {
	Secret  string            `json:"secret"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func caseOf(secret string, r hookRequest) verifyCase {
	return verifyCase{Secret: secret, Body: r.Body, Headers: map[string]string{
		"webhook-id": r.Header.Get("webhook-id"), "webhook-timestamp": r.Header.Get("webhook-timestamp"),
		"webhook-signature": r.Header.Get("webhook-signature"),
	}}
}

// standardWebhooksVerify checks each case with the reference library, as
// a receiver would, and returns its verdicts: "ok <type>" or why it
// refused.
func standardWebhooksVerify(t *testing.T, dir string, cases []verifyCase) []string {
	t.Helper()
	raw, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "node", "verify.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node verify.mjs: %v\n%s", err, stderr.String())
	}
	var verdicts []string
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatalf("verify.mjs printed %q: %v", out, err)
	}
	return verdicts
}

// createHook makes a subscription through the admin API and returns its
// ID and secret.
func createHook(t *testing.T, ops adminClient, body string) (id, secret string) {
	t.Helper()
	code, got := ops.call("POST", "/admin/api/v1/webhooks", body)
	id, _ = got["id"].(string)
	secret, _ = got["secret"].(string)
	if code != http.StatusCreated || id == "" || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("create webhook: %d %v", code, got)
	}
	return id, secret
}

// TestWebhooks: real actions (an account made, a consent, a grant
// withdrawn, an account disabled) reach a platform subscription and, for
// the events about it, an app's; each delivery verifies with the
// Standard Webhooks reference library; a 500 is retried; after a
// rotation a receiver holding either secret accepts.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	dir := npmInstall(t, standardWebhooksDir)
	eachStore(t, func(t *testing.T, p running) {
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		platform := newHookReceiver(t, http.StatusInternalServerError)
		app := newHookReceiver(t)
		platformID, platformSecret := createHook(t, ops, `{"url":"`+platform.srv.URL+`/hooks","description":"every event"}`)
		_, appSecret := createHook(t, ops, `{"url":"`+app.srv.URL+`/hooks","client_id":"chat-web","event_types":["grant.given","grant.withdrawn"]}`)

		if code, body := ops.call("POST", "/admin/api/v1/users", `{"email":"bo@example.com","name":"Bo","role":"member","password":"bo-chose-this-pass"}`); code != http.StatusCreated {
			t.Fatalf("create user: %d %v", code, body)
		}
		_, id, _ := newApp(t, p).login(t, newBrowser(t, p.issuer, webCallback), p)
		if code, body := ops.call("DELETE", "/admin/api/v1/grants/"+id.Subject+"/chat-web", ""); code != http.StatusNoContent {
			t.Fatalf("withdraw: %d %v", code, body)
		}
		if code, body := ops.call("PATCH", "/admin/api/v1/users/"+id.Subject, `{"status":"disabled"}`); code != http.StatusOK {
			t.Fatalf("disable: %d %v", code, body)
		}

		// Four events, and one of them twice: the first attempt got a 500.
		var platformGot []hookRequest
		for range 5 {
			platformGot = append(platformGot, platform.next(t, "the platform's deliveries"))
		}
		t.Run("a 500 is retried with the same webhook-id", func(t *testing.T) {
			seen := map[string]hookRequest{}
			retried := 0
			for _, r := range platformGot {
				id := r.Header.Get("webhook-id")
				if before, ok := seen[id]; ok {
					retried++
					if before.Body != r.Body {
						t.Errorf("message %s sent with two bodies: %q, %q", id, before.Body, r.Body)
					}
				}
				seen[id] = r
			}
			if retried != 1 || len(seen) != 4 {
				t.Fatalf("%d messages, %d sent again; want 4 and 1", len(seen), retried)
			}
		})
		t.Run("the platform's subscription gets every event", func(t *testing.T) {
			var types []string
			for _, r := range platformGot {
				types = append(types, eventType(t, r))
			}
			for _, want := range []string{"user.created", "grant.given", "grant.withdrawn", "user.disabled"} {
				if !slices.Contains(types, want) {
					t.Errorf("the platform got %v, without %s", types, want)
				}
			}
		})
		// Messages are sent side by side: no order is promised.
		appGot := []hookRequest{app.next(t, "the app's first"), app.next(t, "the app's second")}
		t.Run("the app's subscription gets only its events about the app", func(t *testing.T) {
			types := []string{eventType(t, appGot[0]), eventType(t, appGot[1])}
			slices.Sort(types)
			if !slices.Equal(types, []string{"grant.given", "grant.withdrawn"}) {
				t.Errorf("the app got %v, want grant.given and grant.withdrawn", types)
			}
			for _, r := range appGot {
				var payload struct {
					Data struct {
						Subject  string `json:"subject"`
						ClientID string `json:"client_id"`
					} `json:"data"`
				}
				if err := json.Unmarshal([]byte(r.Body), &payload); err != nil || payload.Data.Subject != id.Subject || payload.Data.ClientID != "chat-web" {
					t.Errorf("payload %s, want Ann and chat-web", r.Body)
				}
				if strings.Contains(r.Body, "whsec_") || strings.Contains(r.Body, "token\":") {
					t.Errorf("payload %s names a secret or token", r.Body)
				}
			}
		})
		t.Run("every delivery verifies with the Standard Webhooks reference library", func(t *testing.T) {
			var cases []verifyCase
			for _, r := range platformGot {
				cases = append(cases, caseOf(platformSecret, r))
			}
			for _, r := range appGot {
				cases = append(cases, caseOf(appSecret, r))
			}
			// And the library refuses what it must: another secret, a body
			// altered.
			bad := caseOf(appSecret, platformGot[0])
			altered := caseOf(platformSecret, platformGot[0])
			altered.Body = strings.Replace(altered.Body, `"type":"`, `"type":"x`, 1)
			cases = append(cases, bad, altered)
			verdicts := standardWebhooksVerify(t, dir, cases)
			for i, v := range verdicts[:len(verdicts)-2] {
				if !strings.HasPrefix(v, "ok ") {
					t.Errorf("delivery %d: %s", i, v)
				}
			}
			for _, v := range verdicts[len(verdicts)-2:] {
				if !strings.HasPrefix(v, "refused") {
					t.Errorf("a forged delivery: %s, want refused", v)
				}
			}
		})
		t.Run("after a rotation a receiver with either secret accepts", func(t *testing.T) {
			code, got := ops.call("POST", "/admin/api/v1/webhooks/"+platformID+"/rotate-secret", "")
			newSecret, _ := got["secret"].(string)
			if code != http.StatusOK || !strings.HasPrefix(newSecret, "whsec_") || newSecret == platformSecret {
				t.Fatalf("rotate: %d %v", code, got)
			}
			if code, body := ops.call("POST", "/admin/api/v1/users", `{"email":"cy@example.com","name":"Cy","role":"member","password":"cy-chose-this-pass"}`); code != http.StatusCreated {
				t.Fatalf("create user: %d %v", code, body)
			}
			r := platform.next(t, "after the rotation")
			if n := len(strings.Fields(r.Header.Get("webhook-signature"))); n != 2 {
				t.Errorf("%d signatures during the grace period, want 2", n)
			}
			for i, v := range standardWebhooksVerify(t, dir, []verifyCase{caseOf(platformSecret, r), caseOf(newSecret, r)}) {
				if v != "ok user.created" {
					t.Errorf("secret %d: %s", i, v)
				}
			}
		})
		t.Run("the deliveries are listed, delivered", func(t *testing.T) {
			var listed struct {
				Deliveries []struct {
					State    string `json:"state"`
					Attempts int    `json:"attempts"`
				} `json:"deliveries"`
			}
			ok := waitFor(func() bool {
				code, body := ops.call("GET", "/admin/api/v1/webhooks/"+platformID+"/deliveries", "")
				raw, _ := json.Marshal(body)
				if code != http.StatusOK || json.Unmarshal(raw, &listed) != nil {
					return false
				}
				for _, d := range listed.Deliveries {
					if d.State != "delivered" {
						return false
					}
				}
				return len(listed.Deliveries) == 5
			})
			if !ok {
				t.Fatalf("deliveries %+v", listed.Deliveries)
			}
			attempts := 0
			for _, d := range listed.Deliveries {
				attempts += d.Attempts
			}
			if len(listed.Deliveries) != 5 || attempts != 6 {
				t.Errorf("deliveries %+v: want 5 messages, 6 attempts", listed.Deliveries)
			}
		})
		select {
		case r := <-app.got:
			t.Errorf("an extra delivery to the app: %s", r.Body)
		case r := <-platform.got:
			t.Errorf("an extra delivery to the platform: %s", r.Body)
		default:
		}
	})
}

// TestWebhooksSurviveANodeRestart: a message queued and failed on one
// node is delivered by the node started after it on the same Postgres.
func TestWebhooksSurviveANodeRestart(t *testing.T) {
	t.Parallel()
	dir := npmInstall(t, standardWebhooksDir)
	addr, issuer := freeIssuer(t)
	path := writeProviderConfig(t, issuer, "")
	vars := map[string]string{"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t), "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}
	_, _, logs, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: issuer, config: path, vars: vars, logs: logs}
	ops := adminClient{t: t, base: issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
	rcv := newHookReceiver(t, http.StatusInternalServerError)
	hookID, secret := createHook(t, ops, `{"url":"`+rcv.srv.URL+`/hooks","event_types":["user.created"]}`)
	if code, body := ops.call("POST", "/admin/api/v1/users", `{"email":"bo@example.com","name":"Bo","role":"member","password":"bo-chose-this-pass"}`); code != http.StatusCreated {
		t.Fatalf("create user: %d %v", code, body)
	}
	first := rcv.next(t, "first attempt, on the first node")
	stop()

	_, _, _, stop2 := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop2)
	retry := rcv.next(t, "retry, on the node started after it")
	if retry.Header.Get("webhook-id") != first.Header.Get("webhook-id") || retry.Body != first.Body {
		t.Fatalf("after the restart another message came: %v %q, first %v %q", retry.Header, retry.Body, first.Header, first.Body)
	}
	for i, v := range standardWebhooksVerify(t, dir, []verifyCase{caseOf(secret, first), caseOf(secret, retry)}) {
		if v != "ok user.created" {
			t.Errorf("delivery %d: %s", i, v)
		}
	}
	ops.token = serviceToken(t, p, "ops", gatewaySecret, "admin")
	if !waitFor(func() bool {
		code, body := ops.call("GET", "/admin/api/v1/webhooks/"+hookID+"/deliveries", "")
		ds, _ := body["deliveries"].([]any)
		if code != http.StatusOK || len(ds) != 1 {
			return false
		}
		d, _ := ds[0].(map[string]any)
		return d["state"] == "delivered" && d["attempts"] == float64(2)
	}) {
		t.Fatal("the message is not delivered after two attempts")
	}
	select {
	case r := <-rcv.got:
		t.Errorf("an extra delivery: %v %s", r.Header, r.Body)
	default:
	}
}

// TestWebhookSecretsReseal: during a rotation of the system secret,
// secrets status names the webhook secrets still sealed under the
// previous one, and secrets reseal seals them under the new one.
func TestWebhookSecretsReseal(t *testing.T) {
	t.Parallel()
	const secretA, secretB = "e2e-system-secret-0123456789abcdefgh", "the-new-system-secret-0123456789abcdefgh"
	vars := map[string]string{"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t), "TOKENIM_SECRETS_SYSTEM": secretA}
	config := writeProviderConfig(t, "http://127.0.0.1:9", "")
	ringA, err := secret.NewKeyring(secretA)
	if err != nil {
		t.Fatal(err)
	}
	sealerA, err := ringA.Sealer(webhooks.SealPurpose)
	if err != nil {
		t.Fatal(err)
	}
	svc := webhooks.NewService(webhooks.ServiceConfig{Store: storeOf(t, vars), Secrets: sealerA})
	sub, _, err := svc.Create(t.Context(), audit.Actor{Type: audit.ActorCLI}, webhooks.Input{URL: "https://hooks.example/in"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.RotateSecret(t.Context(), audit.Actor{Type: audit.ActorCLI}, sub.ID); err != nil {
		t.Fatal(err)
	}
	rotating := maps.Clone(vars)
	rotating["TOKENIM_SECRETS_SYSTEM"], rotating["TOKENIM_SECRETS_SYSTEM_PREVIOUS"] = secretB, secretA
	if status := mustRun(t, rotating, "", "secrets", "status", "--config", config).stdout; !strings.Contains(status, "webhook secrets: 2 stored, 2 sealed under a previous secret") ||
		!strings.Contains(status, "webhook secrets (run tokenim-auth secrets reseal)") {
		t.Fatalf("secrets status:\n%s", status)
	}
	if r := mustRun(t, rotating, "", "secrets", "reseal", "--config", config); !strings.Contains(r.stdout, "webhook secrets: 2 stored, 2 resealed under secrets.system") {
		t.Fatalf("secrets reseal:\n%s", r.stdout)
	}
	if status := mustRun(t, rotating, "", "secrets", "status", "--config", config).stdout; !strings.Contains(status, "webhook secrets: 2 stored, 0 sealed under a previous secret") {
		t.Fatalf("secrets status after the reseal:\n%s", status)
	}
}
