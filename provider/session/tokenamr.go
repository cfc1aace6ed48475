package session

import (
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// An upstream's methods that a session keeps and a token shows: at most
// maxUpstreamMethods of them, each a token of lower-case letters, digits,
// '_' and '-' of at most maxMethodLen bytes (as RFC 8176's registered
// values are). Anything else an upstream sends is left out.
const (
	maxUpstreamMethods = 8
	maxMethodLen       = 32
)

// TokenAMR is the amr claim of the tokens (ID token, JWT access token,
// introspection) issued for the sign-in of ls: our methods (ls.AMR), then
// the upstream's (ls.UpstreamAMR, how the upstream says the user signed
// in there) that are not among them, at most eight, each once. The
// upstream's methods only inform the app: the token's acr stays ls.ACR,
// reached with our methods alone, and ACR, MeetsACR, MeetsPolicy and
// MethodAllowed read ls.AMR only, never this.
func TokenAMR(ls storage.LoginSession) []string {
	return append(slices.Clone(ls.AMR), upstreamMethods(ls.AMR, ls.UpstreamAMR)...)
}

// upstreamMethods returns the values of theirs, in their order, that are
// well-formed methods (validMethod) and not in ours, each once and at
// most maxUpstreamMethods of them.
func upstreamMethods(ours, theirs []string) []string {
	var out []string
	for _, m := range theirs {
		if len(out) == maxUpstreamMethods {
			break
		}
		if validMethod(m) && !slices.Contains(ours, m) && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// validMethod reports whether m is a short token of [a-z0-9_-].
func validMethod(m string) bool {
	if m == "" || len(m) > maxMethodLen {
		return false
	}
	for i := range len(m) {
		c := m[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
