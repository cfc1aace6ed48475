package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleResource(uri string) storage.Resource {
	return storage.Resource{URI: uri, Name: "IM of " + uri, Scopes: []string{"im:messages.read", "im:messages.write"}, CreatedAt: at(0), UpdatedAt: at(0)}
}

// resourceTests are the contract of the protected resources managed in
// the console (Resources).
func resourceTests() []test {
	return []test{
		{"a resource reads back as stored, and its URI is taken once", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			r := sampleResource("https://im.example.com")
			must(t, s.CreateResource(ctx, r), "create")
			got, err := s.GetResource(ctx, r.URI)
			must(t, err, "get")
			same(t, "resource", got, r)
			mustBe(t, s.CreateResource(ctx, sampleResource(r.URI)), storage.ErrAlreadyExists, "create the same URI again")
			if _, err := s.GetResource(ctx, "https://im.example.com/"); !isNotFound(err) {
				t.Fatalf("another spelling of the URI: %v, want ErrNotFound", err)
			}
		}},
		{"resources are listed by URI", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			list, err := s.ListResources(ctx)
			must(t, err, "list none")
			if len(list) != 0 {
				t.Fatalf("an empty store lists %v", list)
			}
			for _, uri := range []string{"https://z.example", "https://a.example/b", "https://a.example"} {
				must(t, s.CreateResource(ctx, sampleResource(uri)), "create "+uri)
			}
			list, err = s.ListResources(ctx)
			must(t, err, "list")
			same(t, "list", list, []storage.Resource{sampleResource("https://a.example"), sampleResource("https://a.example/b"), sampleResource("https://z.example")})
		}},
		{"an update replaces the name and scopes, keeps when it was made", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			r := sampleResource("https://im.example.com")
			must(t, s.CreateResource(ctx, r), "create")
			next := storage.Resource{URI: r.URI, Name: "Chat", Scopes: []string{"im:calls.read"}, CreatedAt: at(time.Hour), UpdatedAt: at(time.Minute)}
			must(t, s.UpdateResource(ctx, next), "update")
			got, err := s.GetResource(ctx, r.URI)
			must(t, err, "get")
			next.CreatedAt = r.CreatedAt
			same(t, "updated resource", got, next)
			mustBe(t, s.UpdateResource(ctx, sampleResource("https://absent.example")), storage.ErrNotFound, "update an absent resource")
		}},
		{"a deleted resource is gone, and deleting it again is ErrNotFound", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			r := sampleResource("https://im.example.com")
			must(t, s.CreateResource(ctx, r), "create")
			must(t, s.CreateResource(ctx, sampleResource("https://calls.example.com")), "create another")
			must(t, s.DeleteResource(ctx, r.URI), "delete")
			if _, err := s.GetResource(ctx, r.URI); !isNotFound(err) {
				t.Fatalf("get after delete: %v, want ErrNotFound", err)
			}
			mustBe(t, s.DeleteResource(ctx, r.URI), storage.ErrNotFound, "delete again")
			list, err := s.ListResources(ctx)
			must(t, err, "list")
			same(t, "what is left", list, []storage.Resource{sampleResource("https://calls.example.com")})
		}},
		{"a resource created in a rolled-back transaction is not kept", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			txCtx, err := s.BeginTx(ctx)
			must(t, err, "begin")
			must(t, s.CreateResource(txCtx, sampleResource("https://im.example.com")), "create in the transaction")
			must(t, s.Rollback(txCtx), "rollback")
			if _, err := s.GetResource(ctx, "https://im.example.com"); !isNotFound(err) {
				t.Fatalf("get after rollback: %v, want ErrNotFound", err)
			}
		}},
	}
}
