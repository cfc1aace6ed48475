package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/config"
)

// samlIdP is crewjam/saml's own identity provider on loopback, signing in
// one user without asking; it trusts the service provider whose metadata
// it was given.
type samlIdP struct {
	idp  *crewjam.IdentityProvider
	srv  *httptest.Server
	sp   atomic.Pointer[crewjam.EntityDescriptor]
	user crewjam.Session
}

// startSAMLIdP starts the IdP; ssoHost, when set, is the host (and
// port) its metadata names for its sign-in page, such as a name a
// browser resolves to it.
func startSAMLIdP(t *testing.T, user crewjam.Session, ssoHost string) *samlIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "corp idp"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s := &samlIdP{user: user}
	mux := http.NewServeMux()
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	base, _ := url.Parse(s.srv.URL)
	sso := *base.JoinPath("/sso")
	if ssoHost != "" {
		sso.Host = ssoHost
	}
	s.idp = &crewjam.IdentityProvider{
		Key: key, Signer: key, Certificate: cert,
		MetadataURL: *base.JoinPath("/metadata"), SSOURL: sso,
		ServiceProviderProvider: s, SessionProvider: s, AssertionMaker: crewjam.DefaultAssertionMaker{},
		Logger: log.New(io.Discard, "", 0),
	}
	mux.HandleFunc("/metadata", s.idp.ServeMetadata)
	mux.HandleFunc("/sso", s.idp.ServeSSO)
	return s
}

func (s *samlIdP) GetServiceProvider(_ *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	if m := s.sp.Load(); m != nil && m.EntityID == id {
		return m, nil
	}
	return nil, os.ErrNotExist
}

func (s *samlIdP) GetSession(http.ResponseWriter, *http.Request, *crewjam.IdpAuthnRequest) *crewjam.Session {
	u := s.user
	return &u
}

// trust gives the IdP the service provider's metadata, as its
// administrator would load it from TokenIM Auth's metadata URL.
func (s *samlIdP) trust(t *testing.T, metadata []byte) {
	t.Helper()
	var desc crewjam.EntityDescriptor
	if err := xml.Unmarshal(metadata, &desc); err != nil {
		t.Fatalf("SP metadata: %v\n%s", err, metadata)
	}
	s.sp.Store(&desc)
}

// TestUpstreamSAMLSignIn runs serve with a SAML connector in upstreams:
// in front of crewjam/saml's identity provider on loopback. The IdP's
// administrator loads the provider's SP metadata; the web app signs a new
// user in: the sign-in page's button, the IdP's signed Response posted
// back cross-site (without cookies, as SameSite=Lax leaves them out),
// posted again by the provider's own page with the state cookie, an
// account created just in time, the consent page; the app's ID token
// says amr fed. The same Response brought to another browser's sign-in
// is refused.
func TestUpstreamSAMLSignIn(t *testing.T) {
	t.Parallel()
	addr, issuer := freeIssuer(t)
	idp := startSAMLIdP(t, crewjam.Session{
		ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "carol-9", NameIDFormat: string(crewjam.PersistentNameIDFormat),
		UserName: "carol", UserEmail: "carol@corp.example", UserCommonName: "Carol Corp",
	}, "")
	path := writeProviderConfig(t, issuer, fmt.Sprintf(`
upstreams:
  - id: corp
    kind: saml
    name: Corp SAML
    metadata_url: %s/metadata
    entity_id: %s/saml
    email_verified: true
    jit: true
`, idp.srv.URL, issuer))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}
	base, _, _, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: base}

	meta := newBrowser(t, p.issuer).get(p.issuer + "/login/upstream/saml/corp/metadata")
	if meta.status != http.StatusOK || meta.header.Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("SP metadata: %d %q", meta.status, meta.header.Get("Content-Type"))
	}
	idp.trust(t, []byte(meta.body))

	app := newApp(t, p)
	b := newBrowser(t, p.issuer, webCallback)
	z := app.start(t)
	login := b.get(z.url)
	if login.status != http.StatusOK || !strings.Contains(login.body, "Sign in with Corp SAML") {
		t.Fatalf("sign-in page %d without the Corp SAML button:\n%s", login.status, login.body)
	}
	// The button sends the browser to the IdP, which answers with its
	// auto-posting form.
	atIdP := b.submitTo(login, "/login/upstream/corp", nil)
	if atIdP.status != http.StatusOK || !strings.HasPrefix(atIdP.url.String(), idp.srv.URL) {
		t.Fatalf("at the IdP: %d %s", atIdP.status, atIdP.url)
	}
	action, fields := parseForm(t, atIdP.body)
	if action != (config.Config{Issuer: issuer}).RedirectURL("corp") {
		t.Fatalf("the IdP posts to %q", action)
	}
	// Cross-site: no cookie comes along, so the provider posts it again
	// from its own page.
	crossSite := &http.Client{Timeout: 10 * time.Second}
	resp, err := crossSite.PostForm(action, fields)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(again), `name="tokenim_resent"`) {
		t.Fatalf("cross-site post: %d\n%s", resp.StatusCode, again)
	}
	resentAction, resent := parseForm(t, string(again))
	if resentAction != action || resent.Get("SAMLResponse") != fields.Get("SAMLResponse") {
		t.Fatalf("posted again to %q with other fields", resentAction)
	}
	consent := b.postForm(resentAction, resent)
	cb := callback(t, consentTo(t, b, consent, "allow"), p.issuer)
	wantUpstreamSignIn(t, app, cb.Get("code"), z.verifier, "carol@corp.example")

	// The same Response brought to another browser's sign-in (login
	// CSRF): its state cookie is another sign-in's.
	other := newBrowser(t, p.issuer, webCallback)
	other.submitTo(other.get(app.start(t).url), "/login/upstream/corp", nil)
	replayed := other.postForm(resentAction, resent)
	if replayed.status != http.StatusBadRequest || !strings.Contains(replayed.body, "This sign-in could not be finished") {
		t.Fatalf("replayed Response: %d, want refused\n%s", replayed.status, replayed.body)
	}
}
