package storagetest

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func clientStateTests() []test {
	return []test{
		{"a client is created enabled, and disabling and enabling it is kept", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			if c, err := s.GetClient(ctx, "app"); err != nil || c.Disabled {
				t.Fatalf("new client: disabled %v, %v", c.Disabled, err)
			}
			for _, want := range []bool{true, false} {
				_, err := s.UpdateClient(ctx, "app", func(c storage.Client) (storage.Client, error) { c.Disabled = want; return c, nil })
				must(t, err, "update")
				c, err := s.GetClient(ctx, "app")
				must(t, err, "get")
				if c.Disabled != want || len(c.Secrets) != 1 {
					t.Fatalf("after setting disabled to %v: disabled %v, %d secrets", want, c.Disabled, len(c.Secrets))
				}
			}
			c := sampleClient("off")
			c.Disabled = true
			must(t, s.CreateClient(ctx, c), "create disabled")
			list, err := s.ListClients(ctx)
			must(t, err, "list")
			if len(list) != 2 || list[0].Disabled || !list[1].Disabled {
				t.Fatalf("listed clients' states wrong: %+v", list)
			}
		}},
	}
}
