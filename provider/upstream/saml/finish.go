package saml

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// MaxResponse bounds the SAMLResponse form field (base64) Finish reads.
const MaxResponse = 256 << 10

// Finish verifies the IdP's Response, posted to our assertion consumer
// URL (its SAMLResponse form field, base64), for the sign-in that sent
// the AuthnRequest requestID, and maps its assertion to an Identity.
//
// crewjam checks the signature (the Response's or the assertion's, by a
// certificate of the IdP's metadata; SHA-1 refused), the issuer, the
// status, the audience (our entity ID), the destination and recipient
// (our assertion consumer URL), InResponseTo (requestID) and the validity
// window on the injected clock with MaxClockSkew; the assertion is then
// used once (Replays). Any of these failing is upstream.ErrRefused, wrapped
// with what (crewjam's error is kept, so errors.Is tells saml.ErrExpired,
// saml.ErrAudienceMismatch and the others apart); the metadata or the
// replay store being unreachable is upstream.ErrUnavailable.
func (c *Connector) Finish(ctx context.Context, samlResponse, requestID string) (upstream.Identity, error) {
	if requestID == "" {
		return upstream.Identity{}, c.refused("no request ID: a response the IdP sent unasked (IdP-initiated) is not accepted")
	}
	raw, err := decodeResponse(samlResponse)
	if err != nil {
		return upstream.Identity{}, c.refused(err.Error())
	}
	m, err := c.metadata(ctx)
	if err != nil {
		return upstream.Identity{}, err
	}
	sp := c.serviceProvider(m, c.now())
	rc := &replayCache{ctx: ctx, replays: c.cfg.Replays, prefix: c.cfg.ID + ":"}
	sp.ReplayCache = rc
	as, err := sp.ParseXMLResponse(raw, []string{requestID}, c.acs)
	if err != nil {
		if rc.err != nil {
			c.log.ErrorContext(ctx, "upstream SAML replay store failed", "connector", c.cfg.ID, "err", rc.err)
			return upstream.Identity{}, fmt.Errorf("%w: connector %q: replay store: %w", upstream.ErrUnavailable, c.cfg.ID, rc.err)
		}
		return upstream.Identity{}, c.classify(err)
	}
	id, err := mapAssertion(c.cfg.Attributes, c.cfg.TrustEmail, as)
	if err != nil {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: %w", upstream.ErrRefused, c.cfg.ID, err)
	}
	id.Connector = c.cfg.ID
	return id, nil
}

func (c *Connector) refused(why string) error {
	return fmt.Errorf("%w: connector %q: %s", upstream.ErrRefused, c.cfg.ID, why)
}

// decodeResponse bounds and decodes the SAMLResponse field: standard
// base64, which some IdPs break into lines.
func decodeResponse(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("no SAMLResponse")
	}
	if len(s) > MaxResponse {
		return nil, fmt.Errorf("the SAMLResponse is larger than %d bytes", MaxResponse)
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("the SAMLResponse is not base64")
	}
	return raw, nil
}

// what names, for each kind of crewjam failure, what the error says went
// wrong; the first that matches is used.
var what = []struct {
	err  error
	what string
}{
	{crewjam.ErrAssertionReplayed, "assertion replayed"},
	{crewjam.ErrInvalidSignature, "unsigned or badly signed response"},
	{crewjam.ErrExpired, "expired"},
	{crewjam.ErrNotYetValid, "not yet valid"},
	{crewjam.ErrAudienceMismatch, "wrong audience"},
	{crewjam.ErrDestinationMismatch, "wrong destination or recipient"},
	{crewjam.ErrRequestIDMismatch, "not an answer to this sign-in's request (InResponseTo)"},
	{crewjam.ErrIssuerMismatch, "wrong issuer"},
	{crewjam.ErrDecryptionFailed, "cannot decrypt the assertion"},
	{crewjam.ErrMalformedMessage, "malformed response"},
	{crewjam.ErrMissingElement, "incomplete response"},
	{crewjam.ErrUnsupported, "unsupported response"},
}

// classify wraps crewjam's refusal of a Response as upstream.ErrRefused,
// saying what went wrong.
func (c *Connector) classify(err error) error {
	var ire *crewjam.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		err = ire.PrivateErr
	}
	var status crewjam.ErrBadStatus
	if errors.As(err, &status) {
		return fmt.Errorf("%w: connector %q: the IdP answered status %q", upstream.ErrRefused, c.cfg.ID, upstream.Clip(status.Status))
	}
	if errors.Is(err, crewjam.ErrDecryptionFailed) {
		if _, ok := c.cfg.Key.(*rsa.PrivateKey); !ok {
			return fmt.Errorf("%w: connector %q: the IdP encrypted the assertion, and this connector has no RSA SP key to decrypt it (configure one, or have the IdP not encrypt): %w", upstream.ErrRefused, c.cfg.ID, err)
		}
	}
	for _, w := range what {
		if errors.Is(err, w.err) {
			return fmt.Errorf("%w: connector %q: %s: %w", upstream.ErrRefused, c.cfg.ID, w.what, err)
		}
	}
	// crewjam refuses a Response in which neither the Response nor the
	// assertion is signed with an error of its own, unexported.
	if strings.Contains(err.Error(), "signature element not present") {
		return fmt.Errorf("%w: connector %q: unsigned response (neither the Response nor the assertion is signed): %w", upstream.ErrRefused, c.cfg.ID, err)
	}
	return fmt.Errorf("%w: connector %q: %w", upstream.ErrRefused, c.cfg.ID, err)
}

// replayCache is crewjam's replay cache over Replays for one Finish: it
// keys an assertion by the connector's ID and the assertion's ID, and
// keeps the store's own failure apart from a replay.
type replayCache struct {
	ctx     context.Context
	replays Replays
	prefix  string
	err     error
}

func (r *replayCache) Consume(assertionID string, until time.Time) error {
	first, err := r.replays.Use(r.ctx, r.prefix+assertionID, until)
	if err != nil {
		r.err = err
		return err
	}
	if !first {
		return crewjam.ErrAssertionReplayed
	}
	return nil
}
