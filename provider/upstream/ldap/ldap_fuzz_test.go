package ldap

import (
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// FuzzFilterFor: whatever name is typed, the user search's filter
// compiles and its (uid=...) equality keeps the name whole, so no
// name adds a clause or a wildcard.
func FuzzFilterFor(f *testing.F) {
	f.Add("ann")
	f.Add("*)(uid=*")
	f.Add("a*")
	f.Add("ann)(|(objectClass=*")
	f.Add("\x00\xff\\2a")
	f.Fuzz(func(t *testing.T, name string) {
		filter := filterFor("(&(objectClass=person)(uid=%s))", name)
		packet, err := goldap.CompileFilter(filter)
		if err != nil {
			t.Fatalf("filter %q for %q: %v", filter, name, err)
		}
		back, err := goldap.DecompileFilter(packet)
		if err != nil {
			t.Fatal(err)
		}
		if back != "(&(objectClass=person)(uid="+goldap.EscapeFilter(name)+"))" {
			t.Fatalf("name %q changed the filter: %q", name, back)
		}
		// One and: and two equality matches, whatever the name.
		if len(packet.Children) != 2 || packet.Children[1].Tag != goldap.FilterEqualityMatch {
			t.Fatalf("name %q changed the filter's shape: %q", name, back)
		}
	})
}

// FuzzMapEntry: whatever a directory entry holds, the mapping never
// panics and yields a usable subject, clean text and a plain email.
func FuzzMapEntry(f *testing.F) {
	f.Add("2c536496-848d-1041-87d8-71ac24bff598", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "ann@example.org", "Ann", "cn=chat-admins,ou=groups,dc=example,dc=org", "514", false)
	f.Add("", []byte{1, 2}, "Ann <a@b.c>", "\x00", "cn=a\\,b+uid=x,dc=y", "x", true)
	f.Add("\xff", []byte(nil), "a@b\x00.c", "ok", "not a dn", "", true)
	f.Fuzz(func(t *testing.T, sub string, guid []byte, email, name, group, uac string, useGUID bool) {
		e := goldap.NewEntry("uid=x,dc=example,dc=org", map[string][]string{
			"entryUUID": {sub}, "mail": {email}, "cn": {name}, "uid": {name},
			"memberOf": {group, group}, uacAttr: {uac},
		})
		e.Attributes = append(e.Attributes, &goldap.EntryAttribute{Name: "objectGUID", ByteValues: [][]byte{guid}, Values: []string{string(guid)}})
		a := Attributes{}
		if useGUID {
			a.Subject = "objectGUID"
		}
		_ = disabled(e)
		id, err := mapEntry(a.withDefaults(), e, nil, true)
		if err != nil {
			return
		}
		if id.Subject == "" || !upstream.CleanText(id.Subject) || len(id.Subject) > upstream.MaxSubject {
			t.Fatalf("subject %q", id.Subject)
		}
		if id.Email != "" && !mailaddr.Valid(id.Email) {
			t.Fatalf("email %q", id.Email)
		}
		for _, s := range append([]string{id.Name, id.Username}, id.Groups...) {
			if !upstream.CleanText(s) {
				t.Fatalf("text %q", s)
			}
		}
		if len(id.Groups) > 0 && id.Groups[0] == "" {
			t.Fatal("an empty group name")
		}
	})
}
