package memory

import (
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// The store never shares a slice with its callers: records are cloned on
// the way in and on the way out.

func cloneClient(c storage.Client) storage.Client {
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
	return c
}

func cloneUser(u storage.User) storage.User {
	u.TOTPSecret = slices.Clone(u.TOTPSecret)
	u.RecoveryCodes = slices.Clone(u.RecoveryCodes)
	for i := range u.RecoveryCodes {
		u.RecoveryCodes[i] = slices.Clone(u.RecoveryCodes[i])
	}
	return u
}

func cloneSession(s storage.LoginSession) storage.LoginSession {
	s.AMR = slices.Clone(s.AMR)
	return s
}

func cloneFlow(f storage.Flow) storage.Flow {
	f.AMR = slices.Clone(f.AMR)
	f.GrantedScopes = slices.Clone(f.GrantedScopes)
	return f
}

func cloneToken(t storage.Token) storage.Token {
	t.Scopes = slices.Clone(t.Scopes)
	t.Session = slices.Clone(t.Session)
	return t
}

func cloneConsent(c storage.Consent) storage.Consent {
	c.Scopes = slices.Clone(c.Scopes)
	return c
}

func cloneKey(k storage.SigningKey) storage.SigningKey {
	k.PrivateKey = slices.Clone(k.PrivateKey)
	k.PublicKey = slices.Clone(k.PublicKey)
	return k
}
