package saml

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// idpMetadata is the IdP's metadata as this connector uses it.
type idpMetadata struct {
	desc *crewjam.EntityDescriptor
	// ssoURL is the HTTP-Redirect single sign-on service, "" if the IdP
	// has none.
	ssoURL string
	// validUntil is when the metadata says it stops being valid (zero:
	// it does not say); refreshAt is when to fetch it again.
	validUntil time.Time
	refreshAt  time.Time
}

// usable reports whether the metadata may still be relied on at now.
func (m *idpMetadata) usable(now time.Time) bool {
	return m.validUntil.IsZero() || now.Before(m.validUntil)
}

// parseMetadata reads an IdP's metadata (an EntityDescriptor, or an
// EntitiesDescriptor holding one IdP) and checks it names an IdP with a
// signing certificate.
func parseMetadata(data []byte, now time.Time) (*idpMetadata, error) {
	desc, err := samlsp.ParseMetadata(data)
	if err != nil {
		return nil, err
	}
	if desc.EntityID == "" {
		return nil, errors.New("the metadata names no entity ID")
	}
	if len(desc.IDPSSODescriptors) == 0 {
		return nil, errors.New("the metadata describes no identity provider (IDPSSODescriptor)")
	}
	certs := 0
	for _, d := range desc.IDPSSODescriptors {
		for _, k := range d.KeyDescriptors {
			if k.Use == "" || k.Use == "signing" {
				certs += len(k.KeyInfo.X509Data.X509Certificates)
			}
		}
	}
	if certs == 0 {
		return nil, errors.New("the metadata has no signing certificate for the identity provider")
	}
	m := &idpMetadata{desc: desc, validUntil: desc.ValidUntil, refreshAt: now.Add(refreshEvery)}
	for _, d := range desc.IDPSSODescriptors {
		if d.ValidUntil != nil && !d.ValidUntil.IsZero() && (m.validUntil.IsZero() || d.ValidUntil.Before(m.validUntil)) {
			m.validUntil = *d.ValidUntil
		}
	}
	if !m.validUntil.IsZero() && m.validUntil.Before(m.refreshAt) {
		m.refreshAt = m.validUntil
	}
	if cd := desc.CacheDuration; cd > 0 && now.Add(cd).Before(m.refreshAt) {
		m.refreshAt = now.Add(cd)
	}
	m.ssoURL = (&crewjam.ServiceProvider{IDPMetadata: desc}).GetSSOBindingLocation(crewjam.HTTPRedirectBinding)
	return m, nil
}

// metadata returns the IdP's metadata: the file's, or the URL's, fetched
// the first time, when due for a refresh, and after a failure once its
// backoff has passed.
func (c *Connector) metadata(ctx context.Context) (*idpMetadata, error) {
	if c.static != nil {
		return c.static, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.fetched != nil && now.Before(c.fetched.refreshAt) {
		return c.fetched, nil
	}
	if c.err != nil && now.Before(c.retryAt) {
		return c.stale(now)
	}
	m, err := c.fetch(ctx, now)
	if err != nil {
		c.failures++
		wait := minBackoff << min(c.failures-1, 6)
		c.retryAt = now.Add(min(wait, maxBackoff))
		c.err = fmt.Errorf("%w: connector %q: IdP metadata from %s: %w", upstream.ErrUnavailable, c.cfg.ID, c.cfg.MetadataURL, err)
		c.log.WarnContext(ctx, "upstream SAML metadata fetch failed", "connector", c.cfg.ID, "metadata_url", c.cfg.MetadataURL, "retry_at", c.retryAt, "err", err)
		return c.stale(now)
	}
	c.fetched, c.err, c.failures = m, nil, 0
	return m, nil
}

// stale is the metadata in hand while a refresh fails: used until its
// validUntil, after which the failure is the answer.
func (c *Connector) stale(now time.Time) (*idpMetadata, error) {
	if c.fetched != nil && c.fetched.usable(now) {
		return c.fetched, nil
	}
	return nil, c.err
}

func (c *Connector) fetch(ctx context.Context, now time.Time) (*idpMetadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.MetadataURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetadata {
		return nil, fmt.Errorf("the metadata is larger than %d bytes", maxMetadata)
	}
	m, err := parseMetadata(data, now)
	if err != nil {
		return nil, err
	}
	if !m.usable(now) {
		return nil, fmt.Errorf("the metadata expired at %s", m.validUntil.UTC().Format(time.RFC3339))
	}
	return m, nil
}

// Metadata is our SP metadata for the IdP: our entity ID, our assertion
// consumer URL (HTTP-POST binding), our certificate when the connector
// has a key (AuthnRequestsSigned then true), WantAssertionsSigned true.
// The wiring serves it at GET /login/upstream/saml/{id}/metadata.
func (c *Connector) Metadata() ([]byte, error) {
	desc := c.serviceProvider(nil, c.now()).Metadata()
	out, err := xml.MarshalIndent(desc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("saml: connector %q: SP metadata: %w", c.cfg.ID, err)
	}
	return append([]byte(xml.Header), out...), nil
}
