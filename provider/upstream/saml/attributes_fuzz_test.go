package saml

import (
	"encoding/xml"
	"testing"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// FuzzMapAssertion: whatever a signed assertion holds, the mapping never
// panics and yields a usable subject, clean text and, if any, a plain
// email.
func FuzzMapAssertion(f *testing.F) {
	const ns = `xmlns="urn:oasis:names:tc:SAML:2.0:assertion"`
	f.Add(`<Assertion `+ns+`><Subject><NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</NameID></Subject><AttributeStatement><Attribute Name="mail"><AttributeValue>a@example.com</AttributeValue></Attribute><Attribute Name="groups"><AttributeValue>g1</AttributeValue><AttributeValue>g&#0;2</AttributeValue></Attribute></AttributeStatement></Assertion>`, "", true)
	f.Add(`<Assertion `+ns+`><Subject><NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">t</NameID></Subject></Assertion>`, "", false)
	f.Add(`<Assertion `+ns+`><AttributeStatement><Attribute Name="uid" FriendlyName="mail"><AttributeValue>Bob &lt;b@example.com&gt;</AttributeValue></Attribute></AttributeStatement><AuthnStatement><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`, "uid", true)
	f.Fuzz(func(t *testing.T, raw, subjectAttr string, trust bool) {
		var as crewjam.Assertion
		if xml.Unmarshal([]byte(raw), &as) != nil {
			return
		}
		id, err := mapAssertion(Attributes{Subject: subjectAttr}, trust, &as)
		if err != nil {
			return
		}
		if id.Subject == "" || !upstream.CleanText(id.Subject) || len(id.Subject) > upstream.MaxSubject {
			t.Fatalf("subject %q", id.Subject)
		}
		if id.Email != "" && !mailaddr.Valid(id.Email) {
			t.Fatalf("email %q", id.Email)
		}
		if id.EmailVerified && (id.Email == "" || !trust) {
			t.Fatal("verified email without an email or trust")
		}
		if len(id.Groups) > upstream.MaxGroups {
			t.Fatalf("%d groups", len(id.Groups))
		}
		for _, s := range append(append([]string{id.Name, id.Username}, id.Groups...), id.AMR...) {
			if !upstream.CleanText(s) || len(s) > upstream.MaxText {
				t.Fatalf("text %q", s)
			}
		}
	})
}
