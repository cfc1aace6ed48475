package authzdetails_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
)

// FuzzParse: any bytes are either refused with ErrInvalid or parsed into
// details of the supported types, actions and location syntax, within the
// bounds, each action and location once; the JSON the list writes parses
// to the same list; narrowing never adds a grant.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:123"]}]`,
		`[{"type":"im_channel","actions":["calls.read"],"locations":["chan:a","chan:a"]}]`,
		`[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"],"x":1}]`,
		`[{"type":"im_conversation","Actions":["messages.read"],"locations":["conv:1"]}]`,
		`[]`, `{}`, `null`, "[{\"type\":\"\xff\"}]", `[{"type":"im_conversation","actions":"messages.read","locations":["conv:1"]}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := authzdetails.Parse(s)
		if err != nil {
			if !errors.Is(err, authzdetails.ErrInvalid) || l != nil {
				t.Fatalf("refused with %v (list %v), not ErrInvalid", err, l)
			}
			return
		}
		if s == "" {
			return
		}
		if len(s) > authzdetails.MaxBytes || len(l) == 0 || len(l) > authzdetails.MaxDetails {
			t.Fatalf("accepted %d bytes as %d details", len(s), len(l))
		}
		for _, d := range l {
			if !slices.Contains(authzdetails.Types(), d.Type) || len(d.Actions) == 0 || len(d.Locations) == 0 || len(d.Locations) > authzdetails.MaxLocations {
				t.Fatalf("accepted %+v", d)
			}
			for i, a := range d.Actions {
				if authzdetails.Scope(a) == "" || slices.Contains(d.Actions[:i], a) {
					t.Fatalf("accepted the actions %q", d.Actions)
				}
			}
			for i, loc := range d.Locations {
				if !authzdetails.ValidLocation(d.Type, loc) || slices.Contains(d.Locations[:i], loc) {
					t.Fatalf("accepted the locations %q", d.Locations)
				}
			}
		}
		again, err := authzdetails.Parse(l.String())
		if err != nil || !slices.EqualFunc(again, l, func(a, b authzdetails.Detail) bool {
			return a.Type == b.Type && slices.Equal(a.Actions, b.Actions) && slices.Equal(a.Locations, b.Locations)
		}) {
			t.Fatalf("%s parsed again as %v, %v", l.String(), again, err)
		}
		narrowed := l.Narrow(func(s string) bool { return s == "im:messages.read" })
		if !narrowed.Covers(l) {
			t.Fatalf("narrowing %v gave more: %v", l, narrowed)
		}
		for _, g := range narrowed.Grants() {
			if g.Action != "messages.read" {
				t.Fatalf("narrowing to reading kept %v", g)
			}
		}
	})
}
