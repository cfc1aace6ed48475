package saml_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/saml"
)

const (
	entityID = "https://auth.example.test/saml/corp"
	acsURL   = "https://auth.example.test/login/upstream/callback/corp"
)

// clock is an injected clock a test can move.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// memReplays is Replays in memory, as the shared store would keep them.
type memReplays struct {
	mu   sync.Mutex
	used map[string]time.Time
	fail error
}

func (m *memReplays) Use(_ context.Context, key string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, m.fail
	}
	if m.used == nil {
		m.used = map[string]time.Time{}
	}
	if _, ok := m.used[key]; ok {
		return false, nil
	}
	m.used[key] = until
	return true, nil
}

func (m *memReplays) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.used {
		out = append(out, k)
	}
	return out
}

func keyPair(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// testIdP is crewjam's own identity provider on loopback, signing in
// alice without asking.
type testIdP struct {
	idp     *crewjam.IdentityProvider
	srv     *httptest.Server
	session crewjam.Session
	// spMeta is the SP metadata the IdP has on file.
	spMeta atomic.Pointer[crewjam.EntityDescriptor]
	// mutate changes each assertion before the IdP signs it; status,
	// when set, makes the IdP answer with that error instead.
	mutate func(*crewjam.Assertion)
	status *crewjam.StatusError
	// down makes the metadata URL answer 503; fetches counts its hits.
	down    atomic.Bool
	fetches atomic.Int32
}

func newIdP(t *testing.T) *testIdP {
	t.Helper()
	key, cert := keyPair(t, "idp")
	ti := &testIdP{session: crewjam.Session{
		ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "alice-42", NameIDFormat: string(crewjam.PersistentNameIDFormat),
		UserName: "alice", UserEmail: "alice@example.com", UserCommonName: "Alice Liddell",
		CustomAttributes: []crewjam.Attribute{{
			Name:   "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
			Values: []crewjam.AttributeValue{{Type: "xs:string", Value: "staff"}, {Type: "xs:string", Value: "ops"}},
		}},
	}}
	mux := http.NewServeMux()
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	base, _ := url.Parse(ti.srv.URL)
	ti.idp = &crewjam.IdentityProvider{
		Key: key, Signer: key, Certificate: cert,
		MetadataURL:             *base.JoinPath("/metadata"),
		SSOURL:                  *base.JoinPath("/sso"),
		ServiceProviderProvider: ti,
		SessionProvider:         ti,
		AssertionMaker:          ti,
		Logger:                  log.New(io.Discard, "", 0),
	}
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		ti.fetches.Add(1)
		if ti.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		ti.idp.ServeMetadata(w, r)
	})
	mux.HandleFunc("/sso", ti.idp.ServeSSO)
	mux.HandleFunc("/unsolicited", func(w http.ResponseWriter, r *http.Request) {
		ti.idp.ServeIDPInitiated(w, r, entityID, "")
	})
	return ti
}

func (ti *testIdP) GetServiceProvider(_ *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	if m := ti.spMeta.Load(); m != nil && m.EntityID == id {
		return m, nil
	}
	return nil, os.ErrNotExist
}

func (ti *testIdP) GetSession(http.ResponseWriter, *http.Request, *crewjam.IdpAuthnRequest) *crewjam.Session {
	s := ti.session
	return &s
}

func (ti *testIdP) MakeAssertion(req *crewjam.IdpAuthnRequest, s *crewjam.Session) error {
	if ti.status != nil {
		return ti.status
	}
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	if ti.mutate != nil {
		ti.mutate(req.Assertion)
	}
	return nil
}

// metadataXML is the IdP's metadata document.
func (ti *testIdP) metadataXML(t *testing.T) []byte {
	t.Helper()
	out, err := xml.Marshal(ti.idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type setup struct {
	ti      *testIdP
	c       *saml.Connector
	clk     *clock
	replays *memReplays
}

// newSetup starts an IdP and a connector reading its metadata URL, with
// an SP key; change adjusts the connector's config.
func newSetup(t *testing.T, change func(*saml.Config)) *setup {
	t.Helper()
	s := &setup{ti: newIdP(t), clk: &clock{}, replays: &memReplays{}}
	key, cert := keyPair(t, "sp")
	cfg := saml.Config{
		ID: "corp", EntityID: entityID, ACSURL: acsURL,
		MetadataURL: s.ti.srv.URL + "/metadata",
		HTTPClient:  &http.Client{Timeout: 5 * time.Second},
		Key:         key, Certificate: cert,
		Replays: s.replays, Now: s.clk.now,
	}
	if change != nil {
		change(&cfg)
	}
	c, err := saml.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.c = c
	s.register(t, c, withoutEncryption)
	return s
}

// register gives the IdP c's SP metadata, changed by change.
func (s *setup) register(t *testing.T, c *saml.Connector, change func(*crewjam.SPSSODescriptor)) {
	t.Helper()
	raw, err := c.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	var desc crewjam.EntityDescriptor
	if err := xml.Unmarshal(raw, &desc); err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&desc.SPSSODescriptors[0])
	}
	s.ti.spMeta.Store(&desc)
}

// withoutEncryption keeps the IdP from encrypting assertions, so that
// tests can read and change them.
func withoutEncryption(sp *crewjam.SPSSODescriptor) {
	sp.KeyDescriptors = slices.DeleteFunc(sp.KeyDescriptors, func(k crewjam.KeyDescriptor) bool { return k.Use == "encryption" })
}

var formField = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)

// postForm reads the IdP's auto-posting form: its action and fields.
func postForm(t *testing.T, resp *http.Response) (string, map[string]string) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP answered %d: %s", resp.StatusCode, body)
	}
	action := regexp.MustCompile(`action="([^"]*)"`).FindSubmatch(body)
	if action == nil {
		t.Fatalf("no form in %s", body)
	}
	fields := map[string]string{}
	for _, m := range formField.FindAllSubmatch(body, -1) {
		fields[string(m[1])] = html.UnescapeString(string(m[2]))
	}
	return html.UnescapeString(string(action[1])), fields
}

// signIn sends the browser to the IdP and returns the Response it posts
// back and the sign-in's request ID.
func (s *setup) signIn(t *testing.T, c *saml.Connector) (response, requestID string) {
	t.Helper()
	u, requestID, err := c.AuthnRequestURL(t.Context(), "rs-1")
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	action, fields := postForm(t, resp)
	if action != acsURL {
		t.Fatalf("the IdP posts to %q, want %q", action, acsURL)
	}
	if fields["RelayState"] != "rs-1" {
		t.Fatalf("RelayState %q came back", fields["RelayState"])
	}
	if fields["SAMLResponse"] == "" {
		t.Fatal("no SAMLResponse")
	}
	return fields["SAMLResponse"], requestID
}

// rewrite decodes a Response, changes its XML and encodes it again.
func rewrite(t *testing.T, response string, change func(string) string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(response)
	if err != nil {
		t.Fatal(err)
	}
	changed := change(string(raw))
	if changed == string(raw) {
		t.Fatal("the rewrite changed nothing")
	}
	return base64.StdEncoding.EncodeToString([]byte(changed))
}

func wantErr(t *testing.T, err, kind error, contains string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

func TestSignedAssertionAccepted(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	id, err := s.c.Finish(t.Context(), response, requestID)
	if err != nil {
		t.Fatal(err)
	}
	want := upstream.Identity{
		Connector: "corp", Subject: "alice-42", Email: "alice@example.com",
		Name: "Alice Liddell", Username: "alice", Groups: []string{"staff", "ops"}, AMR: []string{"pwd"},
	}
	if id.Connector != want.Connector || id.Subject != want.Subject || id.Email != want.Email || id.EmailVerified ||
		id.Name != want.Name || id.Username != want.Username || !slices.Equal(id.Groups, want.Groups) || !slices.Equal(id.AMR, want.AMR) {
		t.Fatalf("identity %+v, want %+v", id, want)
	}
	keys := s.replays.keys()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "corp:") {
		t.Fatalf("replay keys %q, want one under the connector's ID", keys)
	}
}

func TestTrustEmailAndSubjectAttribute(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *saml.Config) {
		c.TrustEmail = true
		c.Attributes = saml.Attributes{Subject: "uid", Email: []string{"urn:oid:0.9.2342.19200300.100.1.3"}}
	})
	response, requestID := s.signIn(t, s.c)
	id, err := s.c.Finish(t.Context(), response, requestID)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "alice" || id.Email != "alice@example.com" || !id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
}

func TestUnsignedRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	sig := regexp.MustCompile(`(?s)<ds:Signature[ >].*?</ds:Signature>`)
	unsigned := rewrite(t, response, func(x string) string { return sig.ReplaceAllString(x, "") })
	_, err := s.c.Finish(t.Context(), unsigned, requestID)
	wantErr(t, err, upstream.ErrRefused, "unsigned")
}

func TestAlteredRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	altered := rewrite(t, response, func(x string) string {
		return strings.ReplaceAll(x, "alice@example.com", "mallory@example.com")
	})
	_, err := s.c.Finish(t.Context(), altered, requestID)
	wantErr(t, err, upstream.ErrRefused, "badly signed")
	if !errors.Is(err, crewjam.ErrInvalidSignature) {
		t.Fatalf("error %v is not a signature failure", err)
	}
	// The untouched response still goes through: nothing was consumed.
	if _, err := s.c.Finish(t.Context(), response, requestID); err != nil {
		t.Fatal(err)
	}
}

// TestSignedButWrongRefused: a Response the IdP signed is still refused
// when what it says is not for this sign-in here.
func TestSignedButWrongRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mutate func(*crewjam.Assertion)
		status *crewjam.StatusError
		want   string
	}{
		"wrong audience": {
			mutate: func(a *crewjam.Assertion) {
				a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other.example.test/sp"
			},
			want: "wrong audience",
		},
		"wrong recipient": {
			mutate: func(a *crewjam.Assertion) {
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other.example.test/acs"
			},
			want: "wrong destination or recipient",
		},
		"wrong issuer": {
			mutate: func(a *crewjam.Assertion) { a.Issuer.Value = "https://evil.example.test/idp" },
			want:   "wrong issuer",
		},
		"status not success": {
			status: &crewjam.StatusError{TopLevel: crewjam.StatusResponder, SecondLevel: crewjam.StatusRequestDenied},
			want:   "status",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, nil)
			s.ti.mutate, s.ti.status = tc.mutate, tc.status
			response, requestID := s.signIn(t, s.c)
			_, err := s.c.Finish(t.Context(), response, requestID)
			wantErr(t, err, upstream.ErrRefused, tc.want)
		})
	}
}

func TestExpiredRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	s.clk.advance(10 * time.Minute)
	_, err := s.c.Finish(t.Context(), response, requestID)
	wantErr(t, err, upstream.ErrRefused, "expired")
	if !errors.Is(err, crewjam.ErrExpired) {
		t.Fatalf("error %v is not an expiry", err)
	}
}

func TestInResponseToMismatchRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, _ := s.signIn(t, s.c)
	_, other, err := s.c.AuthnRequestURL(t.Context(), "rs-2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.c.Finish(t.Context(), response, other)
	wantErr(t, err, upstream.ErrRefused, "InResponseTo")
}

func TestIdPInitiatedRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.ti.srv.URL + "/unsolicited")
	if err != nil {
		t.Fatal(err)
	}
	_, fields := postForm(t, resp)
	unsolicited := fields["SAMLResponse"]
	_, err = s.c.Finish(t.Context(), unsolicited, "")
	wantErr(t, err, upstream.ErrRefused, "IdP-initiated")
	// Nor does it pass for a sign-in this connector did start.
	_, pending, err := s.c.AuthnRequestURL(t.Context(), "rs")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.c.Finish(t.Context(), unsolicited, pending)
	wantErr(t, err, upstream.ErrRefused, "InResponseTo")
}

func TestReplayRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	if _, err := s.c.Finish(t.Context(), response, requestID); err != nil {
		t.Fatal(err)
	}
	_, err := s.c.Finish(t.Context(), response, requestID)
	wantErr(t, err, upstream.ErrRefused, "replayed")
}

func TestReplayStoreDownUnavailable(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	response, requestID := s.signIn(t, s.c)
	s.replays.mu.Lock()
	s.replays.fail = errors.New("store unreachable")
	s.replays.mu.Unlock()
	_, err := s.c.Finish(t.Context(), response, requestID)
	wantErr(t, err, upstream.ErrUnavailable, "replay store")
}

func TestTransientNameIDRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *saml.Config) { c.NameIDFormat = string(crewjam.TransientNameIDFormat) })
	s.ti.session.NameIDFormat = string(crewjam.TransientNameIDFormat)
	response, requestID := s.signIn(t, s.c)
	_, err := s.c.Finish(t.Context(), response, requestID)
	wantErr(t, err, upstream.ErrRefused, "transient")
}

func TestEncryptedAssertion(t *testing.T) {
	t.Parallel()
	// With an RSA SP key the IdP encrypts to our certificate, and the
	// assertion is decrypted.
	s := newSetup(t, nil)
	s.register(t, s.c, nil)
	response, requestID := s.signIn(t, s.c)
	raw, _ := base64.StdEncoding.DecodeString(response)
	if !strings.Contains(string(raw), "EncryptedAssertion") {
		t.Fatal("the IdP did not encrypt the assertion")
	}
	if id, err := s.c.Finish(t.Context(), response, requestID); err != nil || id.Subject != "alice-42" {
		t.Fatalf("identity %+v, error %v", id, err)
	}

	// Without one, an IdP that encrypts anyway is refused, saying why.
	bare, err := saml.New(saml.Config{
		ID: "corp", EntityID: entityID, ACSURL: acsURL, MetadataXML: s.ti.metadataXML(t),
		Replays: &memReplays{}, Now: s.clk.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.register(t, s.c, func(sp *crewjam.SPSSODescriptor) {
		signed := false
		sp.AuthnRequestsSigned = &signed
	})
	response, requestID = s.signIn(t, bare)
	_, err = bare.Finish(t.Context(), response, requestID)
	wantErr(t, err, upstream.ErrRefused, "no RSA SP key")
}

func TestUnsignedRequestsWithoutKey(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *saml.Config) { c.Key, c.Certificate = nil, nil })
	u, _, err := s.c.AuthnRequestURL(t.Context(), "rs")
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := url.Parse(u); q.Query().Has("Signature") || !q.Query().Has("SAMLRequest") {
		t.Fatalf("request URL %s", u)
	}
	response, requestID := s.signIn(t, s.c)
	if _, err := s.c.Finish(t.Context(), response, requestID); err != nil {
		t.Fatal(err)
	}
}

func TestSignedRequest(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	u, requestID, err := s.c.AuthnRequestURL(t.Context(), "relay")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(u)
	if !strings.HasPrefix(u, s.ti.srv.URL+"/sso?") || q.Query().Get("RelayState") != "relay" ||
		q.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" || q.Query().Get("Signature") == "" {
		t.Fatalf("request URL %s", u)
	}
	if !strings.HasPrefix(requestID, "id-") {
		t.Fatalf("request ID %q", requestID)
	}
	if _, _, err := s.c.AuthnRequestURL(t.Context(), strings.Repeat("r", 81)); err == nil {
		t.Fatal("a RelayState longer than the binding allows was sent")
	}
}

func TestMetadataDownThenRecovers(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	s.ti.down.Store(true)
	_, _, err := s.c.AuthnRequestURL(t.Context(), "rs")
	wantErr(t, err, upstream.ErrUnavailable, "503")
	s.ti.down.Store(false)
	// Within the backoff the failure is the answer, without asking again.
	before := s.ti.fetches.Load()
	_, _, err = s.c.AuthnRequestURL(t.Context(), "rs")
	wantErr(t, err, upstream.ErrUnavailable, "503")
	if s.ti.fetches.Load() != before {
		t.Fatal("the metadata was fetched again within the backoff")
	}
	s.clk.advance(2 * time.Second)
	if _, _, err := s.c.AuthnRequestURL(t.Context(), "rs"); err != nil {
		t.Fatal(err)
	}
}

func TestMetadataRefreshedAndStaleKept(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	if _, _, err := s.c.AuthnRequestURL(t.Context(), "rs"); err != nil {
		t.Fatal(err)
	}
	if n := s.ti.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	// crewjam's IdP metadata says validUntil two days on; after a day
	// it is fetched again, and while that fails the copy in hand serves.
	s.clk.advance(25 * time.Hour)
	s.ti.down.Store(true)
	if _, _, err := s.c.AuthnRequestURL(t.Context(), "rs"); err != nil {
		t.Fatalf("stale metadata not used: %v", err)
	}
	if n := s.ti.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	// Past its validUntil it is no longer relied on.
	s.clk.advance(48 * time.Hour)
	_, _, err := s.c.AuthnRequestURL(t.Context(), "rs")
	wantErr(t, err, upstream.ErrUnavailable, "503")
}

func TestPostOnlyIdPUnavailable(t *testing.T) {
	t.Parallel()
	ti := newIdP(t)
	meta := strings.ReplaceAll(string(ti.metadataXML(t)), "HTTP-Redirect", "HTTP-POST")
	c, err := saml.New(saml.Config{
		ID: "corp", EntityID: entityID, ACSURL: acsURL, MetadataXML: []byte(meta), Replays: &memReplays{},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.AuthnRequestURL(t.Context(), "rs")
	wantErr(t, err, upstream.ErrUnavailable, "HTTP-Redirect")
}

func TestSPMetadata(t *testing.T) {
	t.Parallel()
	for _, withKey := range []bool{true, false} {
		s := newSetup(t, func(c *saml.Config) {
			if !withKey {
				c.Key, c.Certificate = nil, nil
			}
		})
		raw, err := s.c.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		var desc crewjam.EntityDescriptor
		if err := xml.Unmarshal(raw, &desc); err != nil {
			t.Fatal(err)
		}
		if desc.EntityID != entityID || len(desc.SPSSODescriptors) != 1 {
			t.Fatalf("metadata %s", raw)
		}
		sp := desc.SPSSODescriptors[0]
		acs := sp.AssertionConsumerServices
		if len(acs) != 1 || acs[0].Location != acsURL || acs[0].Binding != crewjam.HTTPPostBinding {
			t.Fatalf("assertion consumer services %+v", acs)
		}
		if sp.WantAssertionsSigned == nil || !*sp.WantAssertionsSigned || sp.AuthnRequestsSigned == nil || *sp.AuthnRequestsSigned != withKey {
			t.Fatalf("key %v: metadata %s", withKey, raw)
		}
		if (len(sp.KeyDescriptors) > 0) != withKey {
			t.Fatalf("key %v: key descriptors %+v", withKey, sp.KeyDescriptors)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	key, cert := keyPair(t, "sp")
	_, other := keyPair(t, "other")
	ok := saml.Config{ID: "corp", EntityID: entityID, ACSURL: acsURL, MetadataURL: "https://idp.example.test/metadata", Replays: &memReplays{}}
	for name, change := range map[string]func(*saml.Config){
		"no ID":              func(c *saml.Config) { c.ID = "" },
		"no entity ID":       func(c *saml.Config) { c.EntityID = "" },
		"bad ACS URL":        func(c *saml.Config) { c.ACSURL = "/callback" },
		"no metadata":        func(c *saml.Config) { c.MetadataURL = "" },
		"both metadata":      func(c *saml.Config) { c.MetadataXML = []byte("<x/>") },
		"bad metadata URL":   func(c *saml.Config) { c.MetadataURL = "ftp://idp" },
		"bad metadata XML":   func(c *saml.Config) { c.MetadataURL, c.MetadataXML = "", []byte("<EntityDescriptor") },
		"no replays":         func(c *saml.Config) { c.Replays = nil },
		"key without cert":   func(c *saml.Config) { c.Key = key },
		"cert of other key":  func(c *saml.Config) { c.Key, c.Certificate = key, other },
		"cert without a key": func(c *saml.Config) { c.Certificate = cert },
	} {
		cfg := ok
		change(&cfg)
		if _, err := saml.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	cfg := ok
	cfg.Key, cfg.Certificate = key, cert
	if _, err := saml.New(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestBadInputRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	_, requestID := s.signIn(t, s.c)
	for name, in := range map[string]string{
		"empty":      "",
		"not base64": "%%%",
		"not XML":    base64.StdEncoding.EncodeToString([]byte("hello")),
		"too large":  strings.Repeat("A", saml.MaxResponse+4),
	} {
		if _, err := s.c.Finish(t.Context(), in, requestID); !errors.Is(err, upstream.ErrRefused) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
