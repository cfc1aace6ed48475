package storage

import (
	"maps"
	"slices"
)

// Clone methods copy a record so that it shares no slice with the
// original: a store or a cache that keeps records in memory hands out
// clones, so no caller can change what it keeps.

// Clone returns a deep copy of c.
func (c Client) Clone() Client {
	c.Secrets = slices.Clone(c.Secrets)
	for i := range c.Secrets {
		c.Secrets[i].Hash = slices.Clone(c.Secrets[i].Hash)
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	c.GrantTypes = slices.Clone(c.GrantTypes)
	c.Scopes = slices.Clone(c.Scopes)
	c.Audience = slices.Clone(c.Audience)
	c.RequestedScopes = slices.Clone(c.RequestedScopes)
	c.AllowedOrigins = slices.Clone(c.AllowedOrigins)
	c.Registration = c.Registration.Clone()
	if w := c.RefreshReuseWindow; w != nil {
		c.RefreshReuseWindow = new(*w)
	}
	return c
}

// Clone returns a deep copy of u.
func (u User) Clone() User {
	u.TOTPSecret = slices.Clone(u.TOTPSecret)
	u.RecoveryCodes = slices.Clone(u.RecoveryCodes)
	for i := range u.RecoveryCodes {
		u.RecoveryCodes[i] = slices.Clone(u.RecoveryCodes[i])
	}
	return u
}

// Clone returns a deep copy of s.
func (s LoginSession) Clone() LoginSession {
	s.AMR = slices.Clone(s.AMR)
	s.UpstreamAMR = slices.Clone(s.UpstreamAMR)
	return s
}

// Clone returns a deep copy of f.
func (f Flow) Clone() Flow {
	f.AMR = slices.Clone(f.AMR)
	f.GrantedScopes = slices.Clone(f.GrantedScopes)
	return f
}

// Clone returns a deep copy of t.
func (t Token) Clone() Token {
	t.Scopes = slices.Clone(t.Scopes)
	t.Session = slices.Clone(t.Session)
	return t
}

// Clone returns a deep copy of c.
func (c Consent) Clone() Consent {
	c.Scopes = slices.Clone(c.Scopes)
	return c
}

// Clone returns a deep copy of k.
func (k SigningKey) Clone() SigningKey {
	k.PrivateKey = slices.Clone(k.PrivateKey)
	k.PublicKey = slices.Clone(k.PublicKey)
	return k
}

// Clone returns a deep copy of r.
func (r AuditRecord) Clone() AuditRecord {
	r.Scopes = slices.Clone(r.Scopes)
	r.Detail = maps.Clone(r.Detail)
	r.Hash = slices.Clone(r.Hash)
	return r
}

// Clone returns a deep copy of c.
func (c AuditCheckpoint) Clone() AuditCheckpoint {
	c.Link.Hash = slices.Clone(c.Link.Hash)
	c.MAC = slices.Clone(c.MAC)
	return c
}
