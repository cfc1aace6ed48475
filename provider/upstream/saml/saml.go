// Package saml is the SAML 2.0 upstream connector: TokenIM Auth acts as a
// service provider (SP) to a SAML identity provider (IdP). It sends the
// browser to the IdP with an AuthnRequest (HTTP-Redirect binding), and
// verifies the Response the IdP posts back (HTTP-POST binding) with
// crewjam/saml: the signature by a certificate of the IdP's metadata (the
// Response or the assertion must be signed), the issuer, the audience (our
// entity ID), the recipient and destination (our assertion consumer URL),
// InResponseTo (the request this sign-in sent; IdP-initiated sign-in is
// refused) and the validity window on the injected clock. An accepted
// assertion is then used once: Replays records its ID until it expires,
// across every node sharing the store behind it.
//
// The IdP's metadata comes from a file (Config.MetadataXML) or a URL.
// From a URL it is fetched lazily: New never touches the network, so an
// IdP that is down when TokenIM Auth starts does not stop it from
// starting. The first sign-in fetches it; a failure is remembered and
// retried after a backoff that doubles up to maxBackoff, and every sign-in
// meanwhile gets upstream.ErrUnavailable at once. Fetched metadata is
// refreshed after its cacheDuration, its validUntil or refreshEvery,
// whichever comes first; while a refresh fails, the copy in hand is used
// until its validUntil. Metadata from a file is used as it is, whatever
// its validUntil: replacing the file is the operator's call.
//
// # Binding the response to the sign-in
//
// The caller keeps the request ID AuthnRequestURL returns together with
// the connector's ID (in its sealed cookie), looks the connector up from
// that cookie on the callback, and hands Finish the ID: the Response must
// answer that very request, and its assertion is used once.
//
// Identity.AMR is "pwd" when the assertion's AuthnContextClassRef is
// Password or PasswordProtectedTransport, and empty otherwise: other
// classes do not map plainly onto RFC 8176.
package saml

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Replays records the assertions already used, so that each is accepted
// once. The wiring backs it with the shared store, so that it holds across
// nodes.
type Replays interface {
	// Use records key as used until until, and reports whether this is
	// its first use. An error means it could not tell.
	Use(ctx context.Context, key string, until time.Time) (first bool, err error)
}

// Config is one SAML connector's configuration.
type Config struct {
	// ID names the connector; it is the Connector of every Identity.
	ID string
	// EntityID is ours, as the IdP knows us.
	EntityID string
	// ACSURL is our assertion consumer service URL, where the IdP posts
	// its Response: the issuer, "/login/upstream/callback/" and ID.
	ACSURL string
	// MetadataURL or MetadataXML is the IdP's metadata (one of them).
	MetadataURL string
	MetadataXML []byte
	// HTTPClient fetches the metadata from MetadataURL; it must have a
	// timeout. Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Key and Certificate are our SP key pair (optional, both or neither).
	// With them, AuthnRequests are signed and an encrypted assertion is
	// decrypted (an RSA key only); without them, requests are unsigned and
	// an encrypted assertion is refused.
	Key         crypto.Signer
	Certificate *x509.Certificate
	// NameIDFormat is the NameID format asked of the IdP; default
	// persistent. A transient NameID is never taken as the subject.
	NameIDFormat string
	// Replays refuses a replayed assertion (required).
	Replays Replays
	// Attributes names the attributes an Identity is read from.
	Attributes Attributes
	// TrustEmail says the IdP vouches for the email attribute (an
	// organisation's own directory): the Identity's email is then marked
	// verified. Off by default, as SAML has no standard way to say so.
	TrustEmail bool
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

const (
	minBackoff = time.Second
	maxBackoff = time.Minute
	// refreshEvery is the longest fetched metadata is used before it is
	// fetched again.
	refreshEvery = 24 * time.Hour
	// maxMetadata bounds the IdP metadata document read from its URL.
	maxMetadata = 4 << 20
)

// Connector is one configured SAML identity provider.
type Connector struct {
	cfg       Config
	client    *http.Client
	now       func() time.Time
	log       *slog.Logger
	acs       url.URL
	sigMethod string
	nameID    crewjam.NameIDFormat

	// static is the metadata from MetadataXML, nil with MetadataURL.
	static *idpMetadata

	mu       sync.Mutex
	fetched  *idpMetadata
	err      error
	failures int
	retryAt  time.Time
}

// New checks cfg and returns the connector; it does not reach the IdP
// (see the package comment). Metadata given as XML is parsed here.
func New(cfg Config) (*Connector, error) {
	if cfg.ID == "" || cfg.EntityID == "" || cfg.ACSURL == "" {
		return nil, errors.New("saml: connector needs an ID, an entity ID and an assertion consumer URL")
	}
	acs, err := url.Parse(cfg.ACSURL)
	if err != nil || (acs.Scheme != "https" && acs.Scheme != "http") || acs.Host == "" {
		return nil, fmt.Errorf("saml: connector %q: assertion consumer URL %q is not an http(s) URL", cfg.ID, cfg.ACSURL)
	}
	if (cfg.MetadataURL == "") == (len(cfg.MetadataXML) == 0) {
		return nil, fmt.Errorf("saml: connector %q needs the IdP's metadata URL or its metadata XML (one of them)", cfg.ID)
	}
	if cfg.Replays == nil {
		return nil, fmt.Errorf("saml: connector %q needs a replay store", cfg.ID)
	}
	c := &Connector{cfg: cfg, client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger, acs: *acs, nameID: crewjam.PersistentNameIDFormat}
	if cfg.NameIDFormat != "" {
		c.nameID = crewjam.NameIDFormat(cfg.NameIDFormat)
	}
	if c.sigMethod, err = signatureMethod(cfg.Key, cfg.Certificate); err != nil {
		return nil, fmt.Errorf("saml: connector %q: %w", cfg.ID, err)
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if cfg.MetadataURL != "" {
		u, err := url.Parse(cfg.MetadataURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("saml: connector %q: metadata URL %q is not an http(s) URL", cfg.ID, cfg.MetadataURL)
		}
		return c, nil
	}
	if c.static, err = parseMetadata(cfg.MetadataXML, c.now()); err != nil {
		return nil, fmt.Errorf("saml: connector %q: IdP metadata: %w", cfg.ID, err)
	}
	return c, nil
}

// signatureMethod checks our key pair and returns the XML signature
// method our requests are signed with, "" without a key.
func signatureMethod(key crypto.Signer, cert *x509.Certificate) (string, error) {
	switch {
	case key == nil && cert == nil:
		return "", nil
	case key == nil || cert == nil:
		return "", errors.New("the SP key and certificate go together: set both or neither")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return "", errors.New("the SP certificate is not the SP key's")
	}
	switch key.Public().(type) {
	case *rsa.PublicKey:
		return dsig.RSASHA256SignatureMethod, nil
	case *ecdsa.PublicKey:
		return dsig.ECDSASHA256SignatureMethod, nil
	}
	return "", errors.New("the SP key must be an RSA or ECDSA key")
}

// ID is the connector's configured ID.
func (c *Connector) ID() string { return c.cfg.ID }

// serviceProvider is crewjam's SP for one call, on the clock's time now.
// m is nil for our own metadata, which needs no IdP.
func (c *Connector) serviceProvider(m *idpMetadata, now time.Time) *crewjam.ServiceProvider {
	sp := &crewjam.ServiceProvider{
		EntityID:                         c.cfg.EntityID,
		Key:                              c.cfg.Key,
		Certificate:                      c.cfg.Certificate,
		AcsURL:                           c.acs,
		AuthnNameIDFormat:                c.nameID,
		SignatureMethod:                  c.sigMethod,
		AssertionConsumerServiceBindings: []string{crewjam.HTTPPostBinding},
		RejectSHA1Signatures:             true,
		LimitRelayStateLength:            true,
		Clock:                            dsig.NewFakeClockAt(now),
	}
	if m != nil {
		sp.IDPMetadata = m.desc
	}
	return sp
}

// AuthnRequestURL is where to send the browser to sign in: the IdP's
// single sign-on service with an AuthnRequest in the HTTP-Redirect
// binding (signed when the connector has a key) and relayState (at most
// 80 bytes, as the binding allows). The caller keeps requestID (in its
// sealed cookie) for Finish.
//
// An IdP whose metadata offers only the HTTP-POST binding for sign-on is
// not supported: that is upstream.ErrUnavailable, saying so.
func (c *Connector) AuthnRequestURL(ctx context.Context, relayState string) (redirectURL, requestID string, err error) {
	m, err := c.metadata(ctx)
	if err != nil {
		return "", "", err
	}
	if m.ssoURL == "" {
		return "", "", fmt.Errorf("%w: connector %q: the IdP's metadata offers no HTTP-Redirect single sign-on service (only the HTTP-POST binding is not supported)", upstream.ErrUnavailable, c.cfg.ID)
	}
	sp := c.serviceProvider(m, c.now())
	req, err := sp.MakeAuthenticationRequest(m.ssoURL, crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	if err != nil {
		return "", "", fmt.Errorf("saml: connector %q: authentication request: %w", c.cfg.ID, err)
	}
	u, err := req.Redirect(relayState, sp)
	if err != nil {
		return "", "", fmt.Errorf("saml: connector %q: authentication request: %w", c.cfg.ID, err)
	}
	return u.String(), req.ID, nil
}
