package consent_test

import (
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// An app's installation in a workspace caps what a member may grant it
// there: active, to what is installed (sign-in scopes stay); denied, to
// sign-in scopes; not installed or waiting for an admin, not at all.
func TestInstalledScopes(t *testing.T) {
	t.Parallel()
	store := memory.New()
	ctx := t.Context()
	if err := store.CreateWorkspace(ctx, storage.Workspace{ID: "w-acme", Handle: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"active", "denied", "pending", "free"} {
		if err := store.CreateClient(ctx, storage.Client{ID: id, Name: id, Type: storage.ClientConfidential}); err != nil {
			t.Fatal(err)
		}
	}
	for id, status := range map[string]string{"active": storage.InstallActive, "denied": storage.InstallDenied, "pending": storage.InstallPending} {
		in := storage.Installation{ID: "inst-" + id, WorkspaceID: "w-acme", ClientID: id, Status: status, Scopes: []string{"im:messages.read"}}
		if status != storage.InstallActive {
			in.Scopes, in.Requested = nil, []string{"im:messages.read"}
		}
		if err := store.CreateInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	role := []string{"openid", "profile", "im:messages.read", "im:messages.send"}
	for _, c := range []struct {
		workspace, client string
		want              []string
	}{
		{"w-acme", "active", []string{"openid", "profile", "im:messages.read"}},
		{"w-acme", "denied", []string{"openid", "profile"}},
		{"w-acme", "pending", role},
		{"w-acme", "free", role},
		{"", "active", role},
	} {
		got, err := consent.InstalledScopes(ctx, store, c.workspace, c.client, role)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s in %q: %v, %v; want %v", c.client, c.workspace, got, err, c.want)
		}
	}
}
