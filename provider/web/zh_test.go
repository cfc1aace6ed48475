package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tokenim/tokenim-auth/provider/audit"
)

// recordActionKeys are the keys naming the actions of authorization
// records, which the records page looks up (actionText).
func recordActionKeys() []string {
	var keys []string
	for _, a := range audit.Actions() {
		keys = append(keys, actionKey(a))
	}
	return keys
}

// zhLatinTerms are the Latin words a Chinese text may keep: names,
// protocol and format names, and units a Chinese product writes in Latin
// letters too. Any other Latin word in a Chinese text is English left
// untranslated.
var zhLatinTerms = []string{
	"TokenIM", "Auth", "OpenID", "Connect", "OAuth", "TOTP", "PKCE", "DPoP", "CORS", "JWT", "JWKS", "HMAC", "RFC", "URI", "URL",
	"ID", "IP", "API", "Key", "Logo", "UTC", "CSV", "JSON", "Lines", "POST", "http", "https", "localhost",
	"scope", "introspection", "SCIM", "Entra", "Okta",
	"GitHub", "LDAP", "SAML", "DN", "StartTLS", "groups",
}

// A Chinese text keeps English only where zhLatinTerms allow it:
// addresses (example.com, /oauth2/par) and fmt verbs aside.
func TestChineseTextsHaveNoEnglishLeft(t *testing.T) {
	t.Parallel()
	// A word in a path, an address or an example, or a fmt verb (with or
	// without an argument index, as a Chinese text reorders them), is not
	// prose.
	notProse := regexp.MustCompile(`\S*[/@.]\S*|%(\[[0-9]+\])?[sdv]|[A-Z]{4}-[A-Z]{4}`)
	word := regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9]*`)
	for k, m := range messages() {
		for _, w := range word.FindAllString(notProse.ReplaceAllString(m.ZH, " "), -1) {
			if !slices.Contains(zhLatinTerms, w) {
				t.Errorf("%s: English %q left in the Chinese text %q (translate it, or add it to zhLatinTerms if it is a name)", k, w, m.ZH)
			}
		}
	}
}

// The console in Chinese shows no code for a word: app types and record
// actions are in words (a record's action code is shown too, as <code>,
// for matching exported records).
func TestChineseConsoleShowsWordsNotCodes(t *testing.T) {
	t.Parallel()
	codes := append([]string{"confidential", "public", "resource_server"}, audit.Actions()...)
	r := newTestRenderer(t)
	for _, c := range adminPageCases() {
		t.Run(c.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(renderPage(t, r, c, Chinese).Body.String()))
			if err != nil {
				t.Fatal(err)
			}
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && (n.Data == "code" || n.Data == "script" || n.Data == "style") {
					return
				}
				if n.Type == html.TextNode {
					if s := strings.TrimSpace(n.Data); slices.Contains(codes, s) {
						t.Errorf("the code %q is shown as the text of <%s>", s, n.Parent.Data)
					}
				}
				for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
					walk(ch)
				}
			}
			walk(doc)
		})
	}
}
