package consent

import (
	"slices"
	"testing"
)

func TestNarrow(t *testing.T) {
	app := []string{"openid", "offline_access", "im:messages.read", "im:calls.read"}
	member := []string{"openid", "offline_access", "im:messages.read", "im:calls.read"}
	guest := []string{"openid", "im:messages.read"}
	for _, tt := range []struct {
		name                  string
		requested, role       []string
		wantKept, wantRefused []string
	}{
		{"everything allowed", []string{"openid", "im:messages.read"}, member, []string{"openid", "im:messages.read"}, nil},
		{"the role drops one IM scope of two", []string{"openid", "im:messages.read", "im:calls.read"}, guest, []string{"openid", "im:messages.read"}, nil},
		{"the role allows none of the IM scopes", []string{"openid", "offline_access", "im:calls.read"}, guest, []string{"openid"}, []string{"offline_access", "im:calls.read"}},
		{"only sign-in scopes: a narrowed set is never a refusal", []string{"openid", "offline_access"}, guest, []string{"openid"}, nil},
		{"a scope the app may not have is not kept", []string{"openid", "im:messages.read", "im:contacts.read"}, append(member, "im:contacts.read"), []string{"openid", "im:messages.read"}, nil},
		{"repeats are kept once", []string{"openid", "openid", "im:messages.read"}, member, []string{"openid", "im:messages.read"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kept, refused := Narrow(tt.requested, app, tt.role)
			if !slices.Equal(kept, tt.wantKept) || !slices.Equal(refused, tt.wantRefused) {
				t.Fatalf("Narrow = %q, %q; want %q, %q", kept, refused, tt.wantKept, tt.wantRefused)
			}
		})
	}
}
