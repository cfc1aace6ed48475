package consent

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
