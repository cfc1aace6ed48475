package consent

import "slices"

// SignInScope reports whether s is about signing the user in (who they
// are, their profile and email, staying signed in) rather than using IM
// functions. A client-credentials token, which has no user, never carries
// one; a role that allows none of the IM scopes an app needs refuses the
// app even when it allows these.
func SignInScope(s string) bool {
	switch s {
	case "openid", "offline_access", "profile", "email":
		return true
	}
	return false
}

// Narrow applies least privilege to requested scopes: kept are those both
// the app (appScopes) and the user's role (roleScopes) allow, each once.
// refused is nil unless the app asked for IM scopes and kept has none of
// them: then the app is refused, and refused lists the requested scopes
// the app or the role does not allow, for the user to be told which.
func Narrow(requested, appScopes, roleScopes []string) (kept, refused []string) {
	var denied []string
	needs, keepsNeeded := false, false
	for _, s := range requested {
		im := !SignInScope(s)
		needs = needs || im
		switch {
		case slices.Contains(kept, s):
		case slices.Contains(appScopes, s) && slices.Contains(roleScopes, s):
			kept = append(kept, s)
			keepsNeeded = keepsNeeded || im
		default:
			denied = append(denied, s)
		}
	}
	if needs && !keepsNeeded {
		return kept, denied
	}
	return kept, nil
}
