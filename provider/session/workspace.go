package session

import (
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// The sign-in methods a workspace's policy may allow
// (storage.WorkspacePolicy.SignInMethods). A connector method
// ("connector:ID") names an upstream identity provider, which this
// provider's own sign-in does not offer: a sign-in never matches one.
const (
	MethodPassword = "password"
	MethodPasskey  = "passkey"
)

// The rules of a workspace's policy for a member's sign-in, in one place:
// the authorization endpoint applies them once the request's workspace is
// known, the sign-in pages when the flow names its workspace.

// WorkspaceRequired is the level a request for a workspace of policy p
// needs: want (Required), and at least two factors when the policy
// requires them (RequireMFA).
func WorkspaceRequired(want string, p storage.WorkspacePolicy) string {
	if p.RequireMFA {
		return Stronger(want, ACRTwoFactor)
	}
	return want
}

// AllowsMethod reports whether policy p lets a member sign in with method
// (MethodPassword, MethodPasskey): an empty list allows every method.
func AllowsMethod(p storage.WorkspacePolicy, method string) bool {
	return len(p.SignInMethods) == 0 || slices.Contains(p.SignInMethods, method)
}

// MethodAllowed reports whether a sign-in whose amr is amr used a method
// policy p allows: a password (pwd) for MethodPassword, a passkey (hwk,
// swk) for MethodPasskey.
func MethodAllowed(p storage.WorkspacePolicy, amr []string) bool {
	if len(p.SignInMethods) == 0 {
		return true
	}
	has := func(m string) bool { return slices.Contains(amr, m) }
	return AllowsMethod(p, MethodPassword) && has(AMRPassword) ||
		AllowsMethod(p, MethodPasskey) && (has(AMRHardwareKey) || has(AMRSoftwareKey))
}

// OutlivesPolicy reports whether a sign-in made at authTime is older, at
// now, than policy p lets a member's session be (SessionLifetime): like
// max_age, the member must sign in again for the workspace.
func OutlivesPolicy(p storage.WorkspacePolicy, authTime, now time.Time) bool {
	return p.SessionLifetime > 0 && now.Sub(authTime) > p.SessionLifetime
}

// PolicyNeedsSignIn says whether a member whose sign-in was made at
// authTime with the methods of amr must sign in again for a workspace of
// policy p: the sign-in outlived the policy's session lifetime, or used
// no method it allows. A second factor the policy requires is a step-up,
// not a new sign-in (WorkspaceRequired, MeetsACR).
func PolicyNeedsSignIn(p storage.WorkspacePolicy, authTime time.Time, amr []string, now time.Time) bool {
	return OutlivesPolicy(p, authTime, now) || !MethodAllowed(p, amr)
}

// MeetsPolicy reports whether the sign-in of ls may be used for a request
// that needs level want (Required) for a workspace of policy p: it was
// made with a method the policy allows (MethodAllowed), it is recent
// enough for the policy's session lifetime (OutlivesPolicy) unless fresh,
// and it reaches the level the request and the policy need together
// (WorkspaceRequired, MeetsACR). fresh is a sign-in made during this very
// request, which stands for the lifetime as it does for max_age.
//
// The authorization endpoint and the device page apply it once they know
// the workspace (before, with the zero policy); a sign-in that fails it
// goes back to /login, which asks for what is missing.
func MeetsPolicy(p storage.WorkspacePolicy, ls storage.LoginSession, want string, fresh bool, now time.Time) bool {
	return MethodAllowed(p, ls.AMR) &&
		(fresh || !OutlivesPolicy(p, ls.AuthTime, now)) &&
		MeetsACR(ls.ACR, WorkspaceRequired(want, p))
}
