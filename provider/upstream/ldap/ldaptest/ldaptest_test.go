package ldaptest

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"
)

func dial(t *testing.T, url string, cfg *tls.Config) *goldap.Conn {
	t.Helper()
	c, err := goldap.DialURL(url, goldap.DialWithTLSConfig(cfg))
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestSeedMatchesUsers: the directory holds what Users says, so that
// tests built on Users ask the directory the right questions.
func TestSeedMatchesUsers(t *testing.T) {
	t.Parallel()
	d := Start(t)
	reader := dial(t, d.URL, nil)
	if err := reader.Bind(ReaderDN, ReaderPassword); err != nil {
		t.Fatalf("the reader's bind: %v", err)
	}
	res, err := reader.Search(goldap.NewSearchRequest(UserBase, goldap.ScopeSingleLevel, goldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"uid", "mail", "cn", "userAccountControl"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != len(d.Users) {
		t.Errorf("%d people in the directory, Users has %d", len(res.Entries), len(d.Users))
	}
	for _, e := range res.Entries {
		u := d.User(e.GetAttributeValue("uid"))
		if e.DN != u.DN || e.GetAttributeValue("mail") != u.Email || e.GetAttributeValue("cn") != u.Name ||
			(e.GetAttributeValue("userAccountControl") == "514") != u.Disabled {
			t.Errorf("entry %s (mail %q, cn %q, userAccountControl %q), Users says %+v", e.DN,
				e.GetAttributeValue("mail"), e.GetAttributeValue("cn"), e.GetAttributeValue("userAccountControl"), u)
		}
		groups, err := reader.Search(goldap.NewSearchRequest(GroupBase, goldap.ScopeSingleLevel, goldap.NeverDerefAliases, 0, 0, false,
			"(member="+goldap.EscapeFilter(e.DN)+")", []string{"cn"}, nil))
		if err != nil {
			t.Fatal(err)
		}
		var cns []string
		for _, g := range groups.Entries {
			cns = append(cns, g.GetAttributeValue("cn"))
		}
		slices.Sort(cns)
		if !slices.Equal(cns, u.Groups) {
			t.Errorf("%s is a member of %q, Users says %q", u.UID, cns, u.Groups)
		}
	}
	all, err := reader.Search(goldap.NewSearchRequest(GroupBase, goldap.ScopeSingleLevel, goldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=groupOfNames)", []string{"cn"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	var cns []string
	for _, g := range all.Entries {
		cns = append(cns, g.GetAttributeValue("cn"))
	}
	slices.Sort(cns)
	if !slices.Equal(cns, Groups()) {
		t.Errorf("groups %q, Groups says %q", cns, Groups())
	}
	for _, u := range d.Users {
		c := dial(t, d.URL, nil)
		if err := c.Bind(u.DN, u.Password); err != nil {
			t.Errorf("%s with the password Users gives: %v", u.UID, err)
		}
		if err := c.Bind(u.DN, u.Password+"x"); !goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) {
			t.Errorf("%s with a wrong password: %v, want invalid credentials", u.UID, err)
		}
	}
}

func TestStopAndRestart(t *testing.T) {
	t.Parallel()
	d := Start(t)
	d.Stop()
	if c, err := goldap.DialURL(d.URL); err == nil {
		c.Close()
		t.Fatal("the directory answers once stopped")
	}
	d.Stop()
	d.Restart()
	c := dial(t, d.URL, nil)
	if err := c.Bind(ReaderDN, ReaderPassword); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	cert := NewCert(t)
	d := StartTLS(t, cert)
	c := dial(t, d.LDAPSURL, &tls.Config{RootCAs: cert.Pool})
	if err := c.Bind(ReaderDN, ReaderPassword); err != nil {
		t.Fatalf("over ldaps: %v", err)
	}
	plain := dial(t, d.URL, nil)
	if err := plain.StartTLS(&tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	// A client trusting another CA refuses the directory's certificate.
	c, err := goldap.DialURL(d.LDAPSURL, goldap.DialWithTLSConfig(&tls.Config{RootCAs: NewCert(t).Pool}))
	if err == nil {
		c.Close()
		t.Fatal("ldaps with another CA: connected")
	}
	if !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Fatalf("ldaps with another CA: %v, want an unknown authority", err)
	}
}
