package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleExchangePolicy(clientID string) storage.ExchangePolicy {
	return storage.ExchangePolicy{ClientID: clientID, SubjectAudiences: []string{"https://im.example.com"},
		Resources: []string{"https://calls.example.com", "https://files.example.com"}, Scopes: []string{"im:messages.read"},
		Impersonation: true, CreatedAt: at(0), UpdatedAt: at(0)}
}

// exchangePolicyTests are the contract of the token exchange policies
// managed in the console (ExchangePolicies).
func exchangePolicyTests() []test {
	return []test{
		{"a policy reads back as stored, one per client, and only for a client that exists", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateClient(ctx, sampleClient("gateway")), "create the client")
			p := sampleExchangePolicy("gateway")
			must(t, s.CreateExchangePolicy(ctx, p), "create")
			got, err := s.GetExchangePolicy(ctx, "gateway")
			must(t, err, "get")
			same(t, "policy", got, p)
			mustBe(t, s.CreateExchangePolicy(ctx, sampleExchangePolicy("gateway")), storage.ErrAlreadyExists, "create for the same client again")
			mustBe(t, s.CreateExchangePolicy(ctx, sampleExchangePolicy("absent")), storage.ErrNotFound, "create for a client that does not exist")
			if _, err := s.GetExchangePolicy(ctx, "absent"); !isNotFound(err) {
				t.Fatalf("get the policy of a client without one: %v, want ErrNotFound", err)
			}
		}},
		{"an empty policy reads back empty, not nil-versus-empty different", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateClient(ctx, sampleClient("bot")), "create the client")
			p := storage.ExchangePolicy{ClientID: "bot", CreatedAt: at(0), UpdatedAt: at(0)}
			must(t, s.CreateExchangePolicy(ctx, p), "create")
			got, err := s.GetExchangePolicy(ctx, "bot")
			must(t, err, "get")
			same(t, "policy", got, p)
		}},
		{"policies are listed by client ID", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			list, err := s.ListExchangePolicies(ctx)
			must(t, err, "list none")
			if len(list) != 0 {
				t.Fatalf("an empty store lists %v", list)
			}
			for _, id := range []string{"zeta", "alpha-2", "alpha"} {
				must(t, s.CreateClient(ctx, sampleClient(id)), "create client "+id)
				must(t, s.CreateExchangePolicy(ctx, sampleExchangePolicy(id)), "create policy "+id)
			}
			list, err = s.ListExchangePolicies(ctx)
			must(t, err, "list")
			same(t, "list", list, []storage.ExchangePolicy{sampleExchangePolicy("alpha"), sampleExchangePolicy("alpha-2"), sampleExchangePolicy("zeta")})
		}},
		{"an update replaces the policy, keeps when it was made", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateClient(ctx, sampleClient("gateway")), "create the client")
			p := sampleExchangePolicy("gateway")
			must(t, s.CreateExchangePolicy(ctx, p), "create")
			next := storage.ExchangePolicy{ClientID: "gateway", Resources: []string{"https://other.example.com"}, Scopes: []string{"im:calls.read", "openid"},
				CreatedAt: at(time.Hour), UpdatedAt: at(time.Minute)}
			must(t, s.UpdateExchangePolicy(ctx, next), "update")
			got, err := s.GetExchangePolicy(ctx, "gateway")
			must(t, err, "get")
			next.CreatedAt = p.CreatedAt
			same(t, "updated policy", got, next)
			mustBe(t, s.UpdateExchangePolicy(ctx, sampleExchangePolicy("absent")), storage.ErrNotFound, "update an absent policy")
		}},
		{"a deleted policy is gone, and deleting it again is ErrNotFound", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			for _, id := range []string{"gateway", "bot"} {
				must(t, s.CreateClient(ctx, sampleClient(id)), "create client "+id)
				must(t, s.CreateExchangePolicy(ctx, sampleExchangePolicy(id)), "create policy "+id)
			}
			must(t, s.DeleteExchangePolicy(ctx, "gateway"), "delete")
			if _, err := s.GetExchangePolicy(ctx, "gateway"); !isNotFound(err) {
				t.Fatalf("get after delete: %v, want ErrNotFound", err)
			}
			mustBe(t, s.DeleteExchangePolicy(ctx, "gateway"), storage.ErrNotFound, "delete again")
			list, err := s.ListExchangePolicies(ctx)
			must(t, err, "list")
			same(t, "what is left", list, []storage.ExchangePolicy{sampleExchangePolicy("bot")})
		}},
		{"deleting a client deletes its policy", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateClient(ctx, sampleClient("gateway")), "create the client")
			must(t, s.CreateExchangePolicy(ctx, sampleExchangePolicy("gateway")), "create the policy")
			must(t, s.DeleteClient(ctx, "gateway"), "delete the client")
			if _, err := s.GetExchangePolicy(ctx, "gateway"); !isNotFound(err) {
				t.Fatalf("the policy of a deleted client: %v, want ErrNotFound", err)
			}
			must(t, s.CreateClient(ctx, sampleClient("gateway")), "create a client of the same ID again")
			if _, err := s.GetExchangePolicy(ctx, "gateway"); !isNotFound(err) {
				t.Fatalf("a new client of the same ID inherits the policy: %v", err)
			}
		}},
		{"a policy created in a rolled-back transaction is not kept", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateClient(ctx, sampleClient("gateway")), "create the client")
			txCtx, err := s.BeginTx(ctx)
			must(t, err, "begin")
			must(t, s.CreateExchangePolicy(txCtx, sampleExchangePolicy("gateway")), "create in the transaction")
			must(t, s.Rollback(txCtx), "rollback")
			if _, err := s.GetExchangePolicy(ctx, "gateway"); !isNotFound(err) {
				t.Fatalf("get after rollback: %v, want ErrNotFound", err)
			}
		}},
	}
}
