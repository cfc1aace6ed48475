package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// portalFormFields are TestFormFields' checks of the developer portal's
// pages.
func portalFormFields() []struct {
	page  string
	check func(t *testing.T, els map[string][]*html.Node)
} {
	return []struct {
		page  string
		check func(t *testing.T, els map[string][]*html.Node)
	}{
		{"apps", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els)
			wantLinks(t, els, "/apps/app-7hq2k4", "/apps/app-m3x9p1", "/apps/app-5bz8r0", "/apps/new", "/account")
			if len(els["[role=status]"]) != 1 || len(els["[role=alert]"]) != 0 {
				t.Errorf("want one role=status and no role=alert, have %d and %d", len(els["[role=status]"]), len(els["[role=alert]"]))
			}
			rows := els["tr"]
			if len(rows) != 4 {
				t.Fatalf("want a header row and three app rows, have %d rows", len(rows))
			}
			for i, want := range []string{
				"Acme Chat 1 secret expires soon|Web app|2026-10-02",
				"Acme Chat for iOS|Mobile or desktop app|2026-10-02",
				"app-5bz8r0 2 secrets expire soon|Service or bot|2026-11-20",
			} {
				var cells []string
				for _, td := range elements(rows[i+1])["td"] {
					cells = append(cells, strings.TrimSpace(text(td)))
				}
				if got := strings.Join(cells, "|"); got != want {
					t.Errorf("app row %d = %q, want %q", i, got, want)
				}
			}
			// Only the https logo is shown: not the http one, nor the
			// javascript: one.
			for i, want := range []string{"https://chat.example.com/logo.png", "", ""} {
				imgs := elements(rows[i+1])["img"]
				if want == "" {
					if len(imgs) != 0 {
						t.Errorf("app row %d shows a logo %q it may not", i, attr(imgs[0], "src"))
					}
					continue
				}
				if len(imgs) != 1 || attr(imgs[0], "src") != want || attr(imgs[0], "alt") != "Acme Chat" ||
					attr(imgs[0], "width") != "24" || attr(imgs[0], "height") != "24" || attr(imgs[0], "referrerpolicy") != "no-referrer" {
					t.Errorf("app row %d: want the logo %s, sized, named and sent without a referrer", i, want)
				}
			}
			if tm := els["time"]; len(tm) != 3 || attr(tm[1], "datetime") != "2026-10-02T17:30:00Z" {
				t.Errorf("creation dates lack a machine-readable UTC datetime")
			}
			for _, b := range els["strong"] {
				if attr(b, "class") != "badge warn" {
					t.Errorf("badge %q is not a warning", text(b))
				}
			}
		}},
		{"apps_empty", func(t *testing.T, els map[string][]*html.Node) {
			wantLinks(t, els, "/apps/new", "/account")
			wantText(t, els, "You have not registered any app yet.")
			if len(els["table"]) != 0 {
				t.Errorf("an empty list still has a table")
			}
			if len(els["[role=alert]"]) != 1 {
				t.Errorf("want one role=alert element, have %d", len(els["[role=alert]"]))
			}
		}},
		{"app_new", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/apps")
			wantLinks(t, els, "/apps")
			name := named(els["input"], "name")
			if name == nil || attr(name, "type") != "text" || !hasAttr(name, "required") || attr(name, "maxlength") != "100" {
				t.Errorf("name field wrong: %v", name)
			}
			if logo := named(els["input"], "logo_uri"); logo == nil || attr(logo, "type") != "url" {
				t.Errorf("logo_uri field is not a URL field")
			}
			for _, field := range []string{"description", "redirect_uris"} {
				if named(els["textarea"], field) == nil {
					t.Errorf("%s is not a textarea", field)
				}
			}
			if ta := named(els["textarea"], "redirect_uris"); ta == nil || !strings.Contains(attr(ta, "aria-describedby"), "redirect-hint") {
				t.Errorf("redirect_uris is not described by its hint")
			}
			wantText(t, els, "One per line; not used by services.")
			var kinds, checkedKinds []string
			for _, in := range els["input"] {
				if attr(in, "name") != "kind" {
					continue
				}
				if attr(in, "type") != "radio" {
					t.Errorf("kind %q is not a radio button", attr(in, "value"))
				}
				if attr(in, "aria-describedby") != "kind-"+attr(in, "value")+"-hint" {
					t.Errorf("kind %q is not described by its explanation", attr(in, "value"))
				}
				kinds = append(kinds, attr(in, "value"))
				if hasAttr(in, "checked") {
					checkedKinds = append(checkedKinds, attr(in, "value"))
				}
			}
			if strings.Join(kinds, " ") != "web browser native service" || strings.Join(checkedKinds, " ") != "web" {
				t.Errorf("kinds %q with %q ticked, want web browser native service with web ticked", kinds, checkedKinds)
			}
			if ta := named(els["textarea"], "allowed_origins"); ta == nil || !strings.Contains(attr(ta, "aria-describedby"), "origins-hint") {
				t.Errorf("allowed_origins is not a textarea described by its hint")
			}
			if in := named(els["input"], "refresh_token_reuse_window"); in == nil || attr(in, "type") != "text" || !strings.Contains(attr(in, "aria-describedby"), "reuse-hint") {
				t.Errorf("refresh_token_reuse_window is not a text field described by its hint")
			}
			wantScopes(t, els, "openid")
			wantTokenOptions(t, els, "opaque", false, true)
			if len(els["legend"]) != 3 {
				t.Errorf("the kind, token format and scope choices are not each in a fieldset with a legend")
			}
			if b := els["button"]; len(b) != 1 || text(b[0]) != "Create app" {
				t.Errorf("want one Create app button")
			}
			if len(els["section"]) != 0 {
				t.Errorf("a new app has a secrets or delete section")
			}
		}},
		{"app_new_error", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/apps")
			if a := els["[role=alert]"]; len(a) != 1 || text(a[0]) != "http://chat.example.com/callback is not an acceptable redirect URI: "+
				"use https (or http on 127.0.0.1 for development), or a custom scheme for a mobile or desktop app." {
				t.Errorf("the refused redirect URI is not named in the alert")
			}
			if in := named(els["input"], "name"); in == nil || attr(in, "value") != "Acme Chat for iOS" || attr(in, "aria-describedby") != "name-hint app-error" {
				t.Errorf("name not echoed or not described by the error")
			}
			if ta := named(els["textarea"], "redirect_uris"); ta == nil || text(ta) != "com.acme.chat:/oauth2/callback\nhttp://chat.example.com/callback" {
				t.Errorf("redirect URIs not echoed one per line")
			}
			if ta := named(els["textarea"], "description"); ta == nil || text(ta) != "Chat with your team.\nOn the go." {
				t.Errorf("description not echoed")
			}
			for _, in := range els["input"] {
				if attr(in, "name") == "kind" && hasAttr(in, "checked") != (attr(in, "value") == "native") {
					t.Errorf("kind %q checked = %v, want only native", attr(in, "value"), hasAttr(in, "checked"))
				}
			}
			wantScopes(t, els, "openid", "im:messages.send")
		}},
		{"app_edit", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/apps/app-7hq2k4",
				"/apps/app-7hq2k4/secrets/s8f2k1/revoke", "/apps/app-7hq2k4/secrets/s3m9x0/revoke", "/apps/app-7hq2k4/secrets")
			wantLinks(t, els, "/apps/app-7hq2k4/delete", "/apps")
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "Acme Chat" {
				t.Errorf("the heading is not the app's name")
			}
			if c := els["code"]; len(c) == 0 || text(c[0]) != "app-7hq2k4" {
				t.Errorf("the client ID is not shown in <code> first")
			}
			if named(els["input"], "kind") != nil || named(els["input"], "client_id") != nil {
				t.Errorf("the edit form posts the kind or the client ID")
			}
			wantText(t, els, "The current secret keeps working for a grace period, so you can switch without downtime.")
			if len(forms) == 4 {
				in := elements(forms[0])
				if v := named(in["input"], "logo_uri"); v == nil || attr(v, "value") != "https://chat.example.com/logo.png" {
					t.Errorf("logo_uri not filled")
				}
				if v := named(in["textarea"], "redirect_uris"); v == nil || text(v) != "https://chat.example.com/callback" {
					t.Errorf("redirect_uris not filled")
				}
				if b := in["button"]; len(b) != 1 || text(b[0]) != "Save changes" {
					t.Errorf("want one Save changes button in the app form")
				}
				for _, f := range forms[1:3] {
					if b := elements(f)["button"]; len(b) != 1 || text(b[0]) != "Revoke" {
						t.Errorf("a revoke form lacks its Revoke button")
					}
				}
				if b := elements(forms[3])["button"]; len(b) != 1 || text(b[0]) != "Create a new secret" {
					t.Errorf("the rotation form lacks its button")
				}
			}
			wantScopes(t, els, "openid", "im:calls.read")
			wantTokenOptions(t, els, "jwt", true, true)
			tables := els["table"]
			if len(tables) != 1 {
				t.Fatalf("want one secrets table, have %d", len(tables))
			}
			rows := elements(tables[0])["tr"]
			if len(rows) != 4 {
				t.Fatalf("want a header row and three secret rows, have %d", len(rows))
			}
			for i, want := range []string{
				"tks_Q2hh…|Active|2026-11-24 10:00 UTC|Never|Never|Revoke",
				"tks_Zm9v…|Expires soon|2026-05-01 08:00 UTC|2026-11-25 10:00 UTC|2026-11-24 18:30 UTC|Revoke",
				"tks_YmFy…|Expired|2025-11-01 08:00 UTC|2026-05-02 08:00 UTC|2026-05-01 23:59 UTC|",
			} {
				var cells []string
				for _, td := range elements(rows[i+1])["td"] {
					cells = append(cells, strings.TrimSpace(text(td)))
				}
				if got := strings.Join(cells, "|"); got != want {
					t.Errorf("secret row %d = %q, want %q", i, got, want)
				}
			}
			state := func(row int) *html.Node { return elements(rows[row])["td"][1].FirstChild }
			if n := state(2); n.Type != html.ElementNode || attr(n, "class") != "badge warn" {
				t.Errorf("an expiring secret's state is not shown as a warning")
			}
			if n := state(3); n.Type != html.ElementNode || attr(n, "class") != "muted" {
				t.Errorf("an expired secret's state is not muted")
			}
		}},
		{"app_edit_native", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/apps/app-m3x9p1")
			wantLinks(t, els, "/apps/app-m3x9p1/delete", "/apps")
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "app-m3x9p1" {
				t.Errorf("an app without a name is not headed by its ID")
			}
			if len(els["table"]) != 0 || strings.Contains(text(els["body"][0]), "Secrets (API keys)") {
				t.Errorf("a native app without secrets shows a secrets section")
			}
			if !strings.Contains(text(els["dl"][0]), "Mobile or desktop app") {
				t.Errorf("the kind is not shown in words")
			}
			if len(els["[role=alert]"]) != 1 {
				t.Errorf("want one role=alert element, have %d", len(els["[role=alert]"]))
			}
			wantTokenOptions(t, els, "opaque", false, true)
			if named(els["textarea"], "allowed_origins") != nil || named(els["input"], "refresh_token_reuse_window") == nil {
				t.Errorf("a native app's form has allowed origins, or no refresh token reuse window")
			}
		}},
		{"app_edit_browser", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/apps/app-s9pa22")
			if len(els["table"]) != 0 || strings.Contains(text(els["body"][0]), "Secrets (API keys)") {
				t.Errorf("a browser app shows a secrets section")
			}
			if !strings.Contains(text(els["dl"][0]), "Browser app (single-page)") {
				t.Errorf("the kind is not shown in words")
			}
			if ta := named(els["textarea"], "allowed_origins"); ta == nil || text(ta) != "https://chat.example.com\nhttp://localhost:5173" {
				t.Errorf("allowed origins not shown one per line")
			}
			if in := named(els["input"], "refresh_token_reuse_window"); in == nil || attr(in, "value") != "30s" {
				t.Errorf("the reuse window is not shown")
			}
		}},
		{"app_edit_service", func(t *testing.T, els map[string][]*html.Node) {
			// A service makes no authorization requests: no box to
			// require pushing them.
			wantTokenOptions(t, els, "jwt", false, false)
			if named(els["textarea"], "allowed_origins") != nil || named(els["input"], "refresh_token_reuse_window") != nil {
				t.Errorf("a service's form has allowed origins or a refresh token reuse window")
			}
		}},
		{"secret_shown", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els)
			wantLinks(t, els, "/apps/app-7hq2k4")
			wantSecret(t, els)
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "Your new secret" {
				t.Errorf("heading wrong")
			}
			if tm := els["time"]; len(tm) != 1 || attr(tm[0], "datetime") != "2027-11-25T10:00:00Z" || text(tm[0]) != "2027-11-25 10:00 UTC" {
				t.Errorf("the expiry is not shown")
			}
		}},
		{"secret_shown_created", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els)
			wantLinks(t, els, "/apps/app-5bz8r0")
			wantSecret(t, els)
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "Your app is ready" {
				t.Errorf("heading wrong")
			}
			if len(els["time"]) != 0 || !strings.Contains(text(els["dl"][0]), "Never") {
				t.Errorf("a secret that never expires does not say so")
			}
		}},
		{"secret_shown_native", func(t *testing.T, els map[string][]*html.Node) {
			wantLinks(t, els, "/apps/app-m3x9p1")
			for _, c := range els["code"] {
				if attr(c, "id") == "client-secret" {
					t.Errorf("an app without a secret shows a secret")
				}
			}
			if len(els["code"]) != 1 || text(els["code"][0]) != "app-m3x9p1" {
				t.Errorf("the client ID is not shown")
			}
			wantText(t, els, "Mobile and desktop apps have no secret: they sign people in with PKCE.")
		}},
		{"delete_app", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/apps/app-7hq2k4/delete")
			wantLinks(t, els, "/apps/app-7hq2k4")
			if in := named(els["input"], "confirm"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "yes" {
				t.Errorf("confirm=yes is not posted")
			}
			if len(forms) == 1 {
				if b := elements(forms[0])["button"]; len(b) != 1 || attr(b[0], "class") != "button danger" || text(b[0]) != "Delete app" {
					t.Errorf("want one danger Delete app button")
				}
			}
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "Delete Acme Chat?" {
				t.Errorf("heading wrong")
			}
		}},
	}
}

// wantScopes checks that the page offers every test scope as a box named
// scope, labelled with its description and name, and that exactly ticked
// are ticked.
func wantScopes(t *testing.T, els map[string][]*html.Node, ticked ...string) {
	t.Helper()
	var offered, got []string
	for _, in := range els["input"] {
		if attr(in, "name") != "scope" {
			continue
		}
		if attr(in, "type") != "checkbox" {
			t.Errorf("scope %q is not a checkbox", attr(in, "value"))
		}
		offered = append(offered, attr(in, "value"))
		if hasAttr(in, "checked") {
			got = append(got, attr(in, "value"))
		}
	}
	if strings.Join(offered, " ") != strings.Join(testOffered, " ") {
		t.Errorf("scopes offered %q, want %q", offered, testOffered)
	}
	if strings.Join(got, " ") != strings.Join(ticked, " ") {
		t.Errorf("scopes ticked %q, want %q", got, ticked)
	}
	labels := map[string]string{}
	for _, l := range els["label"] {
		labels[attr(l, "for")] = text(l)
	}
	if l := labels["scope-1"]; l != "Send messages as you im:messages.send" {
		t.Errorf("scope label = %q, want its description then its name", l)
	}
}

// wantSecret checks that the secret page shows testSecret once, with the
// warning.
func wantSecret(t *testing.T, els map[string][]*html.Node) {
	t.Helper()
	var found int
	for _, c := range els["code"] {
		if attr(c, "id") == "client-secret" {
			found++
			if text(c) != testSecret {
				t.Errorf("#client-secret = %q, want the secret", text(c))
			}
		}
	}
	if found != 1 {
		t.Errorf("want one #client-secret, have %d", found)
	}
	var warned bool
	for _, p := range els["p"] {
		if attr(p, "class") == "warning" && text(p) == "Copy the secret now: it is shown only this once. TokenIM Auth keeps only a keyed hash of it." {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning that the secret is shown once")
	}
}

func TestPortalURLs(t *testing.T) {
	r := newTestRenderer(t)
	const id = "app/1?x=#y"
	tests := []struct {
		name   string
		render func(w http.ResponseWriter, req *http.Request) error
		want   []string
	}{
		{"the list escapes a client ID as one path segment", func(w http.ResponseWriter, req *http.Request) error {
			return r.Apps(w, req, http.StatusOK, AppsPage{Apps: []AppSummary{{ClientID: id, Kind: AppKindWeb}}})
		}, []string{`href="/apps/app%2F1%3Fx=%23y"`}},
		{"the app form escapes the client ID and secret ID in every address", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				App: AppForm{ClientID: id, Kind: AppKindService}, Secrets: []SecretRow{{ID: "s/2", State: SecretLive}},
			})
		}, []string{
			`action="/apps/app%2F1%3Fx=%23y"`, `action="/apps/app%2F1%3Fx=%23y/secrets/s%2F2/revoke"`,
			`action="/apps/app%2F1%3Fx=%23y/secrets"`, `href="/apps/app%2F1%3Fx=%23y/delete"`,
		}},
		{"the secret page escapes the client ID", func(w http.ResponseWriter, req *http.Request) error {
			return r.SecretShown(w, req, http.StatusCreated, SecretShownPage{ClientID: id})
		}, []string{`href="/apps/app%2F1%3Fx=%23y"`}},
		{"the delete page escapes the client ID", func(w http.ResponseWriter, req *http.Request) error {
			return r.DeleteApp(w, req, http.StatusOK, DeleteAppPage{ClientID: id})
		}, []string{`action="/apps/app%2F1%3Fx=%23y/delete"`, `href="/apps/app%2F1%3Fx=%23y"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			if err := tc.render(w, req); err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("page lacks %s:\n%s", s, w.Body.String())
				}
			}
		})
	}
}

func TestAppFormSecrets(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name        string
		page        AppFormPage
		wantSection bool
		wantRevokes int
	}{
		{"a web app without secrets has the section, to create one",
			AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindWeb}}, true, 0},
		{"a service without secrets has the section",
			AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindService}}, true, 0},
		{"a native app without secrets has none",
			AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindNative}}, false, 0},
		{"a native app with secrets shows them",
			AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindNative}, Secrets: []SecretRow{{ID: "s1", State: SecretLive}}}, true, 1},
		{"live and expiring secrets can be revoked, expired ones cannot",
			AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindWeb}, Secrets: testSecrets()}, true, 2},
		{"a new app has no secrets section",
			AppFormPage{New: true, App: AppForm{Kind: AppKindWeb}, Secrets: testSecrets()}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			if err := r.AppForm(w, req, http.StatusOK, tc.page); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			els := elements(doc)
			section, revokes := false, 0
			for _, f := range els["form"] {
				a := attr(f, "action")
				section = section || strings.HasSuffix(a, "/secrets")
				if strings.HasSuffix(a, "/revoke") {
					revokes++
				}
			}
			if section != tc.wantSection || revokes != tc.wantRevokes {
				t.Errorf("secrets section = %v with %d revoke forms, want %v with %d", section, revokes, tc.wantSection, tc.wantRevokes)
			}
		})
	}
}

// wantTokenOptions checks the app form's access token choice (a radio per
// format, format ticked, each described by its hint) and its box requiring
// pushed authorization requests: shown or not, ticked or not.
func wantTokenOptions(t *testing.T, els map[string][]*html.Node, format string, par, parShown bool) {
	t.Helper()
	var formats, ticked []string
	for _, in := range els["input"] {
		if attr(in, "name") != "access_token_format" {
			continue
		}
		if attr(in, "type") != "radio" || attr(in, "aria-describedby") != "format-"+attr(in, "value")+"-hint" {
			t.Errorf("format %q is not a radio described by its hint", attr(in, "value"))
		}
		formats = append(formats, attr(in, "value"))
		if hasAttr(in, "checked") {
			ticked = append(ticked, attr(in, "value"))
		}
	}
	if strings.Join(formats, " ") != "opaque jwt" || strings.Join(ticked, " ") != format {
		t.Errorf("formats %q with %q ticked, want opaque jwt with %s ticked", formats, ticked, format)
	}
	box := named(els["input"], "require_par")
	if (box != nil) != parShown {
		t.Fatalf("require_par shown = %v, want %v", box != nil, parShown)
	}
	if box != nil && (attr(box, "type") != "checkbox" || hasAttr(box, "checked") != par || !strings.HasPrefix(attr(box, "aria-describedby"), "par-hint")) {
		t.Errorf("require_par is not a described checkbox ticked = %v", par)
	}
}
