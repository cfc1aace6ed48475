package oidc

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// ClaimMapping names the claims an Identity is read from; an empty name
// takes the default shown.
type ClaimMapping struct {
	Subject       string // sub
	Email         string // email
	EmailVerified string // email_verified
	Name          string // name
	Username      string // preferred_username
	Groups        string // groups
}

func (m ClaimMapping) withDefaults(p Preset) ClaimMapping {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	if p == Entra {
		// Entra ID's email claim is whatever a tenant admin typed
		// (nOAuth): only xms_edov says the domain owner verified it.
		def(&m.EmailVerified, "xms_edov")
	}
	if p == GitLab {
		// GitLab's ID token carries the direct groups; "groups" is
		// only in its userinfo.
		def(&m.Groups, "groups_direct")
	}
	def(&m.Subject, "sub")
	def(&m.Email, "email")
	def(&m.EmailVerified, "email_verified")
	def(&m.Name, "name")
	def(&m.Username, "preferred_username")
	def(&m.Groups, "groups")
	return m
}

// mapClaims turns verified claims into an Identity (without Connector).
// The subject must be a non-empty string of valid UTF-8 without control
// characters; an email that is not a plain address is dropped, as are
// other strings with bytes storage could not hold.
func mapClaims(m ClaimMapping, p Preset, claims map[string]any) (upstream.Identity, error) {
	m = m.withDefaults(p)
	sub, ok := claims[m.Subject].(string)
	if !ok || sub == "" {
		return upstream.Identity{}, fmt.Errorf("no %s claim", m.Subject)
	}
	if identifier(sub) == "" {
		return upstream.Identity{}, fmt.Errorf("the %s claim is not a usable identifier", m.Subject)
	}
	id := upstream.Identity{
		Subject:   sub,
		Name:      text(claims[m.Name]),
		Username:  text(claims[m.Username]),
		Groups:    texts(claims[m.Groups]),
		AMR:       texts(claims["amr"]),
		Claims:    textClaims(claims),
		SessionID: identifier(claims["sid"]),
	}
	if email := text(claims[m.Email]); email != "" && mailaddr.Valid(email) {
		id.Email = email
		id.EmailVerified = truth(claims[m.EmailVerified])
	}
	return id, nil
}

// truth reads a boolean claim sent as a JSON bool or, as Apple and some
// others do, the string "true".
func truth(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

// identifier reads an identifier the upstream sent (a subject, a session
// ID): a string no longer than upstream.MaxSubject of valid UTF-8 without control
// characters; "" for anything else.
func identifier(v any) string {
	s, ok := v.(string)
	if !ok || len(s) > upstream.MaxSubject || !upstream.CleanText(s) {
		return ""
	}
	return s
}

// text reads a claim sent as a string (upstream.Text).
func text(v any) string {
	s, _ := v.(string)
	return upstream.Text(s)
}

// texts reads a claim sent as an array of strings or a single string.
func texts(v any) []string {
	var out []string
	switch l := v.(type) {
	case string:
		if s := text(l); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range l {
			if s := text(e); s != "" && len(out) < upstream.MaxGroups {
				out = append(out, s)
			}
		}
	}
	return out
}

// maxClaims bounds the claims an Identity keeps for role mapping.
const maxClaims = 64

// textClaims keeps the claims that are text or lists of text, for role
// mapping: at most maxClaims of them, the first by name, so that the same
// claims are kept at every sign-in.
func textClaims(claims map[string]any) map[string][]string {
	out := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		if len(out) == maxClaims {
			break
		}
		if values := texts(claims[name]); len(values) > 0 && upstream.CleanText(name) {
			out[name] = values
		}
	}
	return out
}

// tenantPlaceholder is how Entra ID's multi-tenant metadata writes the
// issuer: https://login.microsoftonline.com/{tenantid}/v2.0.
const tenantPlaceholder = "{tenantid}"

// checkTenant is the multi-tenant issuer check: the token's iss must be
// the template with its own tid claim in place of {tenantid} (not any
// iss of the right shape, nor the tid of another tenant), and tid one of
// the allowed tenants when some are configured. See
// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
func checkTenant(template string, allowed []string, iss string, claims map[string]any) error {
	tid, _ := claims["tid"].(string)
	if !validTenantID(tid) {
		return errors.New("the token has no usable tid claim")
	}
	if want := strings.Replace(template, tenantPlaceholder, tid, 1); iss != want {
		return fmt.Errorf("the token's issuer %q is not tenant %q's", upstream.Clip(iss), tid)
	}
	if len(allowed) > 0 && !containsFold(allowed, tid) {
		return fmt.Errorf("tenant %q may not sign in here", tid)
	}
	return nil
}

// validTenantID: a tenant ID is one path segment of letters, digits and
// hyphens (a GUID).
func validTenantID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func containsFold(l []string, s string) bool {
	for _, e := range l {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
