package storagetest

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// accessTokenFormatTests are the cases of a client's access token format.
func accessTokenFormatTests() []test {
	return []test{
		{"a client without a format reads back without one (opaque)", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			got, err := s.GetClient(t.Context(), "app")
			must(t, err, "get")
			if got.IssuesJWT() {
				t.Fatalf("format %q, want opaque", got.AccessTokenFormat)
			}
		}},
		{"a client with JWT access tokens reads back, is listed, and can be switched", func(t *testing.T, s storage.Store) {
			c := sampleClient("gw")
			c.AccessTokenFormat = storage.AccessTokenJWT
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "gw")
			must(t, err, "get")
			same(t, "client", got, c)
			list, err := s.ListClients(t.Context())
			must(t, err, "list")
			if len(list) != 1 || !list[0].IssuesJWT() {
				t.Fatalf("listed %+v, want the one JWT client", list)
			}
			_, err = s.UpdateClient(t.Context(), "gw", func(c storage.Client) (storage.Client, error) {
				c.AccessTokenFormat = storage.AccessTokenOpaque
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(t.Context(), "gw")
			must(t, err, "get after update")
			if got.AccessTokenFormat != storage.AccessTokenOpaque {
				t.Fatalf("format %q after the update, want opaque", got.AccessTokenFormat)
			}
		}},
	}
}
