package authzdetails_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
)

func TestParse(t *testing.T) {
	t.Parallel()
	got, err := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.read","messages.send","messages.read"],"locations":["conv:123","conv:123","conv:a_B-9"]},
		{"type":"im_channel","actions":["calls.read"],"locations":["chan:launch"]}]`)
	if err != nil {
		t.Fatal(err)
	}
	want := authzdetails.List{
		{Type: "im_conversation", Actions: []string{"messages.read", "messages.send"}, Locations: []string{"conv:123", "conv:a_B-9"}},
		{Type: "im_channel", Actions: []string{"calls.read"}, Locations: []string{"chan:launch"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("parsed (-want +got):\n%s", d)
	}
	if s := got.Scopes(); !slices.Equal(s, []string{"im:messages.read", "im:messages.send", "im:calls.read"}) {
		t.Fatalf("scopes %q", s)
	}
	if none, err := authzdetails.Parse(""); none != nil || err != nil {
		t.Fatalf("an absent parameter is %v, %v", none, err)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"not JSON":              `{`,
		"an object, not array":  `{"type":"im_conversation"}`,
		"empty array":           `[]`,
		"not objects":           `["im_conversation"]`,
		"null object":           `[null]`,
		"unknown type":          `[{"type":"payment_initiation","actions":["messages.read"],"locations":["conv:1"]}]`,
		"type not a string":     `[{"type":1,"actions":["messages.read"],"locations":["conv:1"]}]`,
		"no type":               `[{"actions":["messages.read"],"locations":["conv:1"]}]`,
		"type in capitals":      `[{"TYPE":"im_conversation","actions":["messages.read"],"locations":["conv:1"]}]`,
		"unknown member":        `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"],"privileges":["admin"]}]`,
		"unknown action":        `[{"type":"im_conversation","actions":["messages.delete"],"locations":["conv:1"]}]`,
		"scope as action":       `[{"type":"im_conversation","actions":["im:messages.read"],"locations":["conv:1"]}]`,
		"no actions":            `[{"type":"im_conversation","actions":[],"locations":["conv:1"]}]`,
		"actions null":          `[{"type":"im_conversation","actions":null,"locations":["conv:1"]}]`,
		"no locations":          `[{"type":"im_conversation","actions":["messages.read"]}]`,
		"location of the other": `[{"type":"im_conversation","actions":["messages.read"],"locations":["chan:1"]}]`,
		"empty ID":              `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:"]}]`,
		"ID with a slash":       `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1/2"]}]`,
		"ID with NUL":           `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1\u0000"]}]`,
		"ID too long":           `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:` + strings.Repeat("a", 65) + `"]}]`,
		"not UTF-8":             "[{\"type\":\"im_conversation\xff\",\"actions\":[\"messages.read\"],\"locations\":[\"conv:1\"]}]",
		"too many locations":    `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:` + strings.Repeat(`1","conv:`, 32) + `x"]}]`,
		"too many objects":      "[" + strings.Repeat(`{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"]},`, 16) + `{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"]}]`,
		"too long":              `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"]}]` + strings.Repeat(" ", authzdetails.MaxBytes),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := authzdetails.Parse(in)
			if !errors.Is(err, authzdetails.ErrInvalid) || got != nil {
				t.Fatalf("Parse = %v, %v; want ErrInvalid", got, err)
			}
		})
	}
}

func TestNarrow(t *testing.T) {
	t.Parallel()
	l, err := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:1"]},
		{"type":"im_channel","actions":["messages.send"],"locations":["chan:2"]}]`)
	if err != nil {
		t.Fatal(err)
	}
	readOnly := func(s string) bool { return s == "im:messages.read" }
	want := authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.read"}, Locations: []string{"conv:1"}}}
	if d := cmp.Diff(want, l.Narrow(readOnly)); d != "" {
		t.Fatalf("narrowed to reading (-want +got):\n%s", d)
	}
	if got := l.Narrow(func(string) bool { return false }); got != nil {
		t.Fatalf("nothing allowed kept %v", got)
	}
	if d := cmp.Diff(l, l.Narrow(func(string) bool { return true })); d != "" {
		t.Fatalf("everything allowed changed the list:\n%s", d)
	}
}

func TestCoversAndWithout(t *testing.T) {
	t.Parallel()
	have, _ := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:1","conv:2"]}]`)
	one, _ := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.send"],"locations":["conv:2"]}]`)
	other, _ := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.send"],"locations":["conv:3"]}]`)
	channel, _ := authzdetails.Parse(`[{"type":"im_channel","actions":["messages.send"],"locations":["chan:2"]}]`)
	if !one.Covers(have) || other.Covers(have) || channel.Covers(have) || !authzdetails.List(nil).Covers(nil) {
		t.Fatal("Covers is wrong")
	}
	rest := have.Without("im_conversation", "conv:2")
	if one.Covers(rest) || !authzdetails.FromGrants(rest.Grants()).Covers(have.Without("im_conversation", "conv:2")) {
		t.Fatalf("without conv:2: %v", rest)
	}
	back := authzdetails.FromGrants(have.Grants())
	if !back.Covers(have) || !have.Covers(back) {
		t.Fatalf("FromGrants(Grants) = %v", back)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	l, _ := authzdetails.Parse(`[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:1"]}]`)
	var generic any = []any{map[string]any{"type": "im_conversation", "actions": []any{"messages.read"}, "locations": []any{"conv:1"}}}
	for _, v := range []any{l.String(), generic, l} {
		got, err := authzdetails.Decode(v)
		if err != nil || cmp.Diff(l, got) != "" {
			t.Fatalf("Decode(%#v) = %v, %v", v, got, err)
		}
	}
	if got, err := authzdetails.Decode(nil); got != nil || err != nil {
		t.Fatalf("Decode(nil) = %v, %v", got, err)
	}
	if _, err := authzdetails.Decode(`[{"type":"x"}]`); err == nil {
		t.Fatal("Decode took an unknown type")
	}
}

// Every action's scope is "im:" + the action: rs.ScopeForAction, which
// cannot import this package, applies the same rule.
func TestActionScopes(t *testing.T) {
	t.Parallel()
	for _, a := range authzdetails.Actions() {
		if got := authzdetails.Scope(a); got != "im:"+a {
			t.Errorf("Scope(%q) = %q, want %q", a, got, "im:"+a)
		}
	}
}
