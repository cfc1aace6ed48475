package storagetest

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// idTokenAlgTests are the cases of the algorithms a client's ID tokens
// and introspection answers are signed and encrypted with.
func idTokenAlgTests() []test {
	return []test{
		{"a client without an ID token algorithm reads back without one (RS256)", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			got, err := s.GetClient(t.Context(), "app")
			must(t, err, "get")
			if got.IDTokenSignedResponseAlg != "" || got.IDTokenAlg() != "RS256" {
				t.Fatalf("algorithm %q (%s), want none (RS256)", got.IDTokenSignedResponseAlg, got.IDTokenAlg())
			}
		}},
		{"a client's ID token algorithm reads back, is listed, and can be changed", func(t *testing.T, s storage.Store) {
			c := sampleClient("es")
			c.IDTokenSignedResponseAlg = "ES256"
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "es")
			must(t, err, "get")
			same(t, "client", got, c)
			list, err := s.ListClients(t.Context())
			must(t, err, "list")
			if len(list) != 1 || list[0].IDTokenAlg() != "ES256" {
				t.Fatalf("listed %+v, want the one ES256 client", list)
			}
			_, err = s.UpdateClient(t.Context(), "es", func(c storage.Client) (storage.Client, error) {
				c.IDTokenSignedResponseAlg = "RS256"
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(t.Context(), "es")
			must(t, err, "get after update")
			if got.IDTokenSignedResponseAlg != "RS256" {
				t.Fatalf("algorithm %q after the update, want RS256", got.IDTokenSignedResponseAlg)
			}
		}},
		{"a client's introspection signing and encryption algorithms read back and can be cleared", func(t *testing.T, s storage.Store) {
			c := sampleClient("rs")
			c.JWKSURI = "https://rs.example/jwks.json"
			c.IntrospectionSignedResponseAlg = "ES256"
			c.IntrospectionEncryptedResponseAlg = "ECDH-ES+A128KW"
			c.IntrospectionEncryptedResponseEnc = "A256GCM"
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "rs")
			must(t, err, "get")
			same(t, "client", got, c)
			if got.IntrospectionAlg() != "ES256" || got.IntrospectionEnc() != "A256GCM" {
				t.Fatalf("introspection %s/%s, want ES256/A256GCM", got.IntrospectionAlg(), got.IntrospectionEnc())
			}
			_, err = s.UpdateClient(t.Context(), "rs", func(c storage.Client) (storage.Client, error) {
				c.IntrospectionSignedResponseAlg, c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc = "", "", ""
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(t.Context(), "rs")
			must(t, err, "get after update")
			if got.IntrospectionAlg() != "RS256" || got.IntrospectionEnc() != "" {
				t.Fatalf("introspection %s/%q after clearing, want RS256 and no encryption", got.IntrospectionAlg(), got.IntrospectionEnc())
			}
		}},
	}
}
