package consent

import (
	"slices"
	"strings"
	"testing"
)

// FuzzNarrow: the scopes kept for any request are ones the request, the
// app and the role all name, each once, in the request's order; narrowing
// again changes nothing; a refusal happens only when the app asked for IM
// scopes and none is kept, and names only requested scopes the app or the
// role does not allow. Each argument is a scope string as a request
// carries it, split as the consent page splits it (strings.Fields).
func FuzzNarrow(f *testing.F) {
	f.Fuzz(func(t *testing.T, requestedStr, appStr, roleStr string) {
		requested, app, role := strings.Fields(requestedStr), strings.Fields(appStr), strings.Fields(roleStr)
		kept, refused := Narrow(requested, app, role)

		for i, s := range kept {
			if !slices.Contains(requested, s) || !slices.Contains(app, s) || !slices.Contains(role, s) {
				t.Fatalf("kept %q, which the request, the app or the role does not name", s)
			}
			if slices.Contains(kept[:i], s) {
				t.Fatalf("kept %q twice: %q", s, kept)
			}
		}
		// Every requested scope all three allow is kept, in request order.
		var want []string
		for _, s := range requested {
			if slices.Contains(app, s) && slices.Contains(role, s) && !slices.Contains(want, s) {
				want = append(want, s)
			}
		}
		if !slices.Equal(kept, want) {
			t.Fatalf("kept %q, want %q", kept, want)
		}

		needsIM := slices.ContainsFunc(requested, func(s string) bool { return !SignInScope(s) })
		keptIM := slices.ContainsFunc(kept, func(s string) bool { return !SignInScope(s) })
		if (refused != nil) != (needsIM && !keptIM) {
			t.Fatalf("refused %q for requested %q, kept %q", refused, requested, kept)
		}
		for _, s := range refused {
			if !slices.Contains(requested, s) || slices.Contains(kept, s) {
				t.Fatalf("refused %q, which was not requested or was kept", s)
			}
		}
		if refused != nil && len(refused)+len(kept) < len(uniq(requested)) {
			t.Fatalf("refused %q and kept %q do not account for %q", refused, kept, requested)
		}

		again, refusedAgain := Narrow(kept, app, role)
		if !slices.Equal(again, kept) || refusedAgain != nil {
			t.Fatalf("narrowing %q again gave %q, refused %q", kept, again, refusedAgain)
		}
		// The scopes only narrow: a request for what was kept, joined as
		// a scope string, is kept whole.
		if got, _ := Narrow(strings.Fields(strings.Join(kept, " ")), app, role); !slices.Equal(got, kept) {
			t.Fatalf("the scope string of %q narrowed to %q", kept, got)
		}
	})
}

func uniq(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
