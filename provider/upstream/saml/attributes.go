package saml

import (
	"errors"
	"fmt"
	"strings"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Attributes names the assertion attributes an Identity is read from. An
// attribute matches by its Name or, failing that, its FriendlyName; each
// list is tried in order and the first attribute present wins. An empty
// list takes the defaults below, which cover common IdPs (Entra ID /
// ADFS claim URIs, Okta, Shibboleth and LDAP-style names and OIDs).
type Attributes struct {
	// Subject, when set, is the attribute holding the user's stable
	// identifier; empty takes the NameID (any format but transient).
	Subject  string
	Email    []string
	Name     []string
	Username []string
	Groups   []string
}

// Default attribute names, tried in order.
var (
	DefaultEmail = []string{
		"mail", "email", "emailaddress",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"urn:oid:0.9.2342.19200300.100.1.3",
	}
	DefaultName = []string{
		"displayName", "name",
		"http://schemas.microsoft.com/identity/claims/displayname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
		"urn:oid:2.16.840.1.113730.3.1.241", "cn", "urn:oid:2.5.4.3",
	}
	DefaultUsername = []string{"uid", "username", "urn:oid:0.9.2342.19200300.100.1.1"}
	DefaultGroups   = []string{
		"groups", "memberOf",
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
	}
)

func (a Attributes) withDefaults() Attributes {
	def := func(l *[]string, v []string) {
		if len(*l) == 0 {
			*l = v
		}
	}
	def(&a.Email, DefaultEmail)
	def(&a.Name, DefaultName)
	def(&a.Username, DefaultUsername)
	def(&a.Groups, DefaultGroups)
	return a
}

// The authentication context classes that plainly mean a password.
var passwordClasses = map[string]bool{
	"urn:oasis:names:tc:SAML:2.0:ac:classes:Password":                   true,
	"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport": true,
}

// mapAssertion turns a verified assertion into an Identity (without
// Connector). The subject must be a non-empty, clean identifier; other
// values that are not clean text, and an email that is not a plain
// address, are dropped.
func mapAssertion(a Attributes, trustEmail bool, as *crewjam.Assertion) (upstream.Identity, error) {
	a = a.withDefaults()
	attrs := attributes(as)
	sub, err := subject(a.Subject, as, attrs)
	if err != nil {
		return upstream.Identity{}, err
	}
	id := upstream.Identity{
		Subject:  sub,
		Name:     first(attrs, a.Name),
		Username: first(attrs, a.Username),
		Groups:   all(attrs, a.Groups),
	}
	if email := first(attrs, a.Email); email != "" && mailaddr.Valid(email) {
		id.Email = email
		id.EmailVerified = trustEmail
	}
	for _, s := range as.AuthnStatements {
		if r := s.AuthnContext.AuthnContextClassRef; r != nil && passwordClasses[strings.TrimSpace(r.Value)] {
			id.AMR = []string{"pwd"}
		}
	}
	return id, nil
}

// subject reads the user's stable identifier: the configured attribute,
// or the NameID unless it is transient (a new one each sign-in).
func subject(attr string, as *crewjam.Assertion, attrs []crewjam.Attribute) (string, error) {
	var sub, what string
	switch {
	case attr != "":
		what = "the subject attribute " + attr
		if v := values(attrs, attr); len(v) > 0 {
			sub = v[0]
		}
	case as.Subject == nil || as.Subject.NameID == nil:
		return "", errors.New("the assertion has no NameID: configure a subject attribute")
	case as.Subject.NameID.Format == string(crewjam.TransientNameIDFormat):
		return "", errors.New("the assertion's NameID is transient, not a stable identifier: have the IdP send a persistent NameID, or configure a subject attribute")
	default:
		what = "the NameID"
		sub = strings.TrimSpace(as.Subject.NameID.Value)
	}
	if sub == "" {
		return "", fmt.Errorf("no value for %s", what)
	}
	if len(sub) > upstream.MaxSubject || !upstream.CleanText(sub) {
		return "", fmt.Errorf("%s is not a usable identifier", what)
	}
	return sub, nil
}

// attributes gathers the assertion's attributes from all its statements.
func attributes(as *crewjam.Assertion) []crewjam.Attribute {
	var out []crewjam.Attribute
	for _, s := range as.AttributeStatements {
		out = append(out, s.Attributes...)
	}
	return out
}

// values returns the values of the attribute named name: the one whose
// Name it is, else the one whose FriendlyName it is.
func values(attrs []crewjam.Attribute, name string) []string {
	pick := func(match func(crewjam.Attribute) bool) ([]string, bool) {
		for _, at := range attrs {
			if match(at) {
				var out []string
				for _, v := range at.Values {
					if !v.Nil {
						out = append(out, strings.TrimSpace(v.Value))
					}
				}
				return out, true
			}
		}
		return nil, false
	}
	if v, ok := pick(func(at crewjam.Attribute) bool { return at.Name == name }); ok {
		return v
	}
	v, _ := pick(func(at crewjam.Attribute) bool { return at.FriendlyName != "" && at.FriendlyName == name })
	return v
}

// first is the first clean value of the first of names present.
func first(attrs []crewjam.Attribute, names []string) string {
	for _, n := range names {
		for _, v := range values(attrs, n) {
			if s := upstream.Text(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// all is every clean value of the first of names present.
func all(attrs []crewjam.Attribute, names []string) []string {
	for _, n := range names {
		vs := values(attrs, n)
		if vs == nil {
			continue
		}
		var out []string
		for _, v := range vs {
			if s := upstream.Text(v); s != "" && len(out) < upstream.MaxGroups {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
