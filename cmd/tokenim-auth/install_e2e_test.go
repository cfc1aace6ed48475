package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// requestInstall posts the installation page p with the scopes ticked, as
// a browser would: the form's CSRF token, one scope field per box.
func requestInstall(t *testing.T, b *browser, p page, scopes ...string) page {
	t.Helper()
	action, form := parseForm(t, p.body)
	form["scope"] = scopes
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.url.ResolveReference(&url.URL{Path: action}).String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// botToken asks node for a bot token of the app in the workspace acme
// through golang.org/x/oauth2/clientcredentials.
func botToken(t *testing.T, node running, clientID, secret string) (*oauth2.Token, error) {
	t.Helper()
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: node.issuer + "/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"organization": {"acme"}}}
	return cc.Token(t.Context())
}

// TestInstallAppIntoWorkspace, on memory and on two Postgres nodes
// sharing Redis: a member asks for an app through the installation page,
// an admin client approves it narrowed, the app's bot tokens carry the
// installation as subject, the workspace and the approved scopes only; a
// scope the app adds later waits for re-approval; uninstalling on one
// node ends the bot token on the other within a second, and a resource
// server on the revocation stream hears of it.
func TestInstallAppIntoWorkspace(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		p := startProvider(t, "memory")
		installScenario(t, p, p)
	})
	t.Run("postgres, two nodes", func(t *testing.T) {
		t.Parallel()
		c := startCluster(t, 2, "")
		installScenario(t, c.nodes[0], c.nodes[1])
	})
}

// installScenario runs the installation's life on node a, checking the
// uninstall's effect on node b (a itself on one node).
func installScenario(t *testing.T, a, b running) {
	ops := adminClient{t: t, base: a.issuer, token: serviceToken(t, a, "ops", gatewaySecret, "admin")}
	code, ws := ops.call("POST", "/admin/api/v1/workspaces", `{"handle":"acme","name":"Acme Inc"}`)
	if code != http.StatusCreated {
		t.Fatalf("create acme: %d %v", code, ws)
	}
	wsID, _ := ws["id"].(string)
	code, users := ops.call("GET", "/admin/api/v1/users", "")
	if code != http.StatusOK {
		t.Fatalf("users: %d", code)
	}
	var annID string
	for _, u := range users["users"].([]any) {
		if u := u.(map[string]any); u["email"] == annEmail {
			annID, _ = u["id"].(string)
		}
	}
	if code, m := ops.call("POST", "/admin/api/v1/workspaces/"+wsID+"/members", `{"user_id":"`+annID+`","role":"member"}`); code != http.StatusCreated {
		t.Fatalf("add ann to acme: %d %v", code, m)
	}
	code, app := ops.call("POST", "/admin/api/v1/apps", `{"name":"Standup bot","type":"confidential","grant_types":["client_credentials"],"scopes":["im:messages.read","im:messages.send"]}`)
	if code != http.StatusCreated {
		t.Fatalf("register the bot: %d %v", code, app)
	}
	botID, _ := app["client_id"].(string)
	botSecret, _ := app["client_secret"].(string)
	if _, err := botToken(t, a, botID, botSecret); err == nil || !strings.Contains(err.Error(), "unauthorized_client") {
		t.Fatalf("a bot token before any installation: %v, want unauthorized_client", err)
	}

	// Ann, a member under the default policy (admins install), asks.
	br := newBrowser(t, a.issuer)
	installPage := a.issuer + "/workspaces/acme/apps/" + botID + "/install"
	offer := signIn(t, br, br.get(installPage), annEmail, annPassword)
	if offer.status != http.StatusOK || offer.url.Path != "/workspaces/acme/apps/"+botID+"/install" || !strings.Contains(offer.body, "Standup bot") {
		t.Fatalf("the installation page after signing in: %d %s\n%s", offer.status, offer.url, offer.body)
	}
	asked := requestInstall(t, br, offer, "im:messages.read", "im:messages.send")
	if asked.status != http.StatusOK || !strings.Contains(asked.body, "waits for") {
		t.Fatalf("after asking: %d\n%s", asked.status, asked.body)
	}
	if _, err := botToken(t, a, botID, botSecret); err == nil || !strings.Contains(err.Error(), "unauthorized_client") {
		t.Fatalf("a bot token while pending: %v, want unauthorized_client", err)
	}

	code, list := ops.call("GET", "/admin/api/v1/workspaces/"+wsID+"/installations?status=pending", "")
	pending, _ := list["installations"].([]any)
	if code != http.StatusOK || len(pending) != 1 {
		t.Fatalf("pending installations: %d %v", code, list)
	}
	iid, _ := pending[0].(map[string]any)["id"].(string)
	if code, in := ops.call("POST", "/admin/api/v1/workspaces/"+wsID+"/installations/"+iid+"/approve", `{"scopes":["im:messages.read"]}`); code != http.StatusOK || in["status"] != "active" {
		t.Fatalf("approve narrowed: %d %v", code, in)
	}

	checkBot := func(t *testing.T, node running) *oauth2.Token {
		t.Helper()
		tok, err := botToken(t, node, botID, botSecret)
		if err != nil {
			t.Fatalf("bot token: %v", err)
		}
		in := introspect(t, node, tok.AccessToken)
		if in["active"] != true || in["sub"] != iid || in["org_handle"] != "acme" || in["org_id"] != wsID || in["scope"] != "im:messages.read" {
			t.Fatalf("introspection of the bot token: %v, want sub %s, org acme, scope im:messages.read", in, iid)
		}
		return tok
	}
	checkBot(t, a)

	t.Run("a scope the app adds waits for re-approval; tokens keep the old set", func(t *testing.T) {
		if code, up := ops.call("PATCH", "/admin/api/v1/apps/"+botID, `{"scopes":["im:messages.read","im:messages.send","im:calls.read"]}`); code != http.StatusOK {
			t.Fatalf("add a scope to the app: %d %v", code, up)
		}
		code, list := ops.call("GET", "/admin/api/v1/workspaces/"+wsID+"/installations", "")
		all, _ := list["installations"].([]any)
		if code != http.StatusOK || len(all) != 1 {
			t.Fatalf("installations: %d %v", code, list)
		}
		in := all[0].(map[string]any)
		if in["needs_reapproval"] != true || stringOf(in["requested"]) != "im:calls.read" || stringOf(in["scopes"]) != "im:messages.read" {
			t.Fatalf("after the app grew: %v, want im:calls.read waiting", in)
		}
		checkBot(t, a)
	})

	// Uninstalled on a, the bot token is inactive on b within a second,
	// and a resource server subscribed on b hears of it.
	tok := checkBot(t, b)
	sub := subscribe(t, b.issuer, "")
	if code, out := ops.call("DELETE", "/admin/api/v1/workspaces/"+wsID+"/installations/"+iid, ""); code != http.StatusNoContent {
		t.Fatalf("uninstall: %d %v", code, out)
	}
	uninstalled := time.Now()
	for introspect(t, b, tok.AccessToken)["active"] == true {
		if time.Since(uninstalled) > time.Second {
			t.Fatal("the bot token is still active on the other node 1s after the uninstall")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		e := sub.next(t)
		if e.data["kind"] != "workspace" {
			continue
		}
		if e.data["subject"] != iid || e.data["workspace_id"] != wsID || e.data["action"] != "install.uninstalled" {
			t.Fatalf("the uninstall's event: %+v", e)
		}
		break
	}
	if _, err := botToken(t, b, botID, botSecret); err == nil {
		t.Fatal("a bot token after the uninstall")
	} else if re := (*oauth2.RetrieveError)(nil); !errors.As(err, &re) || re.ErrorCode != "unauthorized_client" {
		t.Fatalf("a bot token after the uninstall: %v, want unauthorized_client", err)
	}
}

func stringOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = stringOf(x)
		}
		return strings.Join(parts, " ")
	}
	return ""
}
