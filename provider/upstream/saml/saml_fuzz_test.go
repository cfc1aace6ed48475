package saml_test

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/saml"
)

// FuzzFinish: whatever an attacker posts as SAMLResponse, Finish never
// panics and, unsigned by the IdP's key, never accepts it: it answers
// ErrRefused.
func FuzzFinish(f *testing.F) {
	key, cert := keyPair(f, "idp")
	idp := &crewjam.IdentityProvider{Key: key, Signer: key, Certificate: cert}
	idp.MetadataURL = url.URL{Scheme: "https", Host: "idp.example.test", Path: "/metadata"}
	idp.SSOURL = url.URL{Scheme: "https", Host: "idp.example.test", Path: "/sso"}
	meta, err := xml.Marshal(idp.Metadata())
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	c, err := saml.New(saml.Config{
		ID: "corp", EntityID: entityID, ACSURL: acsURL, MetadataXML: meta,
		Replays: &memReplays{}, Now: func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	f.Add(enc(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r" Version="2.0" InResponseTo="id-1" Destination="`+acsURL+`"><saml:Issuer>https://idp.example.test/metadata</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="a" Version="2.0"><saml:Subject><saml:NameID>x</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`), "id-1")
	f.Add(enc(`<Response xmlns="urn:oasis:names:tc:SAML:2.0:protocol"><Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/></Status></Response>`), "id-1")
	f.Add(enc(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), "id-1")
	f.Add("PHg+\r\n", "")
	f.Add("%%%", "id-1")
	f.Fuzz(func(t *testing.T, response, requestID string) {
		id, err := c.Finish(t.Context(), response, requestID)
		if err == nil {
			t.Fatalf("accepted %q as %+v", response, id)
		}
		if !errors.Is(err, upstream.ErrRefused) {
			t.Fatalf("error %v is not a refusal", err)
		}
	})
}
