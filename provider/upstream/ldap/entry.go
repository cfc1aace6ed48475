package ldap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Attributes read to tell a disabled account: Active Directory's
// userAccountControl (bit 2, ACCOUNTDISABLE) and OpenLDAP ppolicy's
// pwdAccountLockedTime.
const (
	uacAttr        = "userAccountControl"
	uacDisabled    = 0x2
	lockedAttr     = "pwdAccountLockedTime"
	objectGUIDAttr = "objectGUID"
)

// disabled reports whether the entry says its account is disabled or
// locked.
func disabled(e *goldap.Entry) bool {
	if v := e.GetEqualFoldAttributeValue(uacAttr); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n&uacDisabled != 0 {
			return true
		}
	}
	return e.GetEqualFoldAttributeValue(lockedAttr) != ""
}

// mapEntry turns the user's entry into an Identity (without Connector):
// the subject must be there and usable; other values that are not clean
// text, and an email that is not a plain address, are dropped. groups
// are the group search's names; with memberOf, the entry's groups
// attribute's DNs give theirs.
func mapEntry(a Attributes, e *goldap.Entry, groups []string, memberOf bool) (upstream.Identity, error) {
	sub, err := subject(a.Subject, e)
	if err != nil {
		return upstream.Identity{}, err
	}
	id := upstream.Identity{
		Subject:  sub,
		Name:     upstream.Text(e.GetEqualFoldAttributeValue(a.Name)),
		Username: upstream.Text(e.GetEqualFoldAttributeValue(a.Username)),
		Groups:   groups,
		AMR:      []string{"pwd"},
	}
	if email := upstream.Text(e.GetEqualFoldAttributeValue(a.Email)); email != "" && mailaddr.Valid(email) {
		id.Email = email
	}
	if memberOf {
		for _, dn := range e.GetEqualFoldAttributeValues(a.Groups) {
			if name := rdnValue(dn); name != "" && len(id.Groups) < upstream.MaxGroups {
				id.Groups = append(id.Groups, name)
			}
		}
	}
	return id, nil
}

// subject reads the entry's stable identifier: objectGUID's binary
// value in its string form, or attr's text.
func subject(attr string, e *goldap.Entry) (string, error) {
	if strings.EqualFold(attr, objectGUIDAttr) {
		return guidString(e.GetEqualFoldRawAttributeValue(attr))
	}
	sub := e.GetEqualFoldAttributeValue(attr)
	if sub == "" {
		return "", fmt.Errorf("the entry has no %s", attr)
	}
	if len(sub) > upstream.MaxSubject || !upstream.CleanText(sub) {
		return "", fmt.Errorf("the entry's %s is not a usable identifier", attr)
	}
	return sub, nil
}

// guidString returns an Active Directory objectGUID in the string form
// Windows shows: its first three fields are stored little-endian.
func guidString(b []byte) (string, error) {
	if len(b) != 16 {
		return "", errors.New("the entry's objectGUID is not 16 bytes")
	}
	var u uuid.UUID
	copy(u[:], b)
	u[0], u[1], u[2], u[3] = b[3], b[2], b[1], b[0]
	u[4], u[5] = b[5], b[4]
	u[6], u[7] = b[7], b[6]
	return u.String(), nil
}

// groupNames reads attr from the group search's entries.
func groupNames(entries []*goldap.Entry, attr string) []string {
	var out []string
	for _, e := range entries {
		if name := upstream.Text(e.GetEqualFoldAttributeValue(attr)); name != "" && len(out) < upstream.MaxGroups {
			out = append(out, name)
		}
	}
	return out
}

// rdnValue returns the value of dn's first attribute (cn=chat-admins,...
// gives chat-admins), "" when dn does not parse.
func rdnValue(dn string) string {
	d, err := goldap.ParseDN(dn)
	if err != nil || len(d.RDNs) == 0 || len(d.RDNs[0].Attributes) == 0 {
		return ""
	}
	return upstream.Text(d.RDNs[0].Attributes[0].Value)
}
