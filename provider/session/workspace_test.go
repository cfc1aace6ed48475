package session_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestWorkspacePolicy(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	pwd := session.AMR(session.AMRPassword)
	pwdOTP := session.AMR(session.AMRPassword, session.AMROTP)
	passkey := session.AMR(session.AMRHardwareKey, session.AMRPIN)
	passkeyOnly := storage.WorkspacePolicy{SignInMethods: []string{session.MethodPasskey}}
	passwordOnly := storage.WorkspacePolicy{SignInMethods: []string{session.MethodPassword}}
	eightHours := storage.WorkspacePolicy{SessionLifetime: 8 * time.Hour}
	for _, c := range []struct {
		name     string
		p        storage.WorkspacePolicy
		authTime time.Time
		amr      []string
		want     bool
	}{
		{"no policy needs nothing", storage.WorkspacePolicy{}, now.Add(-72 * time.Hour), pwd, false},
		{"a sign-in within the lifetime stands", eightHours, now.Add(-8 * time.Hour), pwd, false},
		{"a sign-in older than the lifetime must be made again", eightHours, now.Add(-8*time.Hour - time.Second), pwd, true},
		{"a password sign-in where only passkeys are allowed", passkeyOnly, now, pwdOTP, true},
		{"a passkey sign-in where only passkeys are allowed", passkeyOnly, now, passkey, false},
		{"a passkey sign-in where only passwords are allowed", passwordOnly, now, passkey, true},
		{"a password and a passkey where only passkeys are allowed", passkeyOnly, now, session.AMR(session.AMRPassword, session.AMRSoftwareKey), false},
		{"a connector method is never met by this provider's sign-in", storage.WorkspacePolicy{SignInMethods: []string{"connector:github"}}, now, pwdOTP, true},
	} {
		if got := session.PolicyNeedsSignIn(c.p, c.authTime, c.amr, now); got != c.want {
			t.Errorf("%s: PolicyNeedsSignIn = %v, want %v", c.name, got, c.want)
		}
	}
	if got := session.WorkspaceRequired("", storage.WorkspacePolicy{RequireMFA: true}); got != session.ACRTwoFactor {
		t.Errorf("RequireMFA asks for level %q, want %q", got, session.ACRTwoFactor)
	}
	if got := session.WorkspaceRequired(session.ACRPasskey, storage.WorkspacePolicy{RequireMFA: true}); got != session.ACRPasskey {
		t.Errorf("RequireMFA lowered a request for passkeys to %q", got)
	}
	if got := session.WorkspaceRequired(session.ACRPassword, storage.WorkspacePolicy{}); got != session.ACRPassword {
		t.Errorf("no policy changed the level to %q", got)
	}
}

func TestMeetsPolicy(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	signed := func(age time.Duration, methods ...string) storage.LoginSession {
		amr := session.AMR(methods...)
		return storage.LoginSession{AuthTime: now.Add(-age), AMR: amr, ACR: session.ACR(amr)}
	}
	password := signed(time.Hour, session.AMRPassword)
	withCode := signed(time.Hour, session.AMRPassword, session.AMROTP)
	withPasskey := signed(time.Hour, session.AMRHardwareKey, session.AMRPIN)
	mfa := storage.WorkspacePolicy{RequireMFA: true}
	passkeyOnly := storage.WorkspacePolicy{SignInMethods: []string{session.MethodPasskey}}
	eightHours := storage.WorkspacePolicy{SessionLifetime: 8 * time.Hour}
	for _, c := range []struct {
		name  string
		p     storage.WorkspacePolicy
		ls    storage.LoginSession
		want  string
		fresh bool
		meets bool
	}{
		{"no policy and no level: any sign-in", storage.WorkspacePolicy{}, signed(72*time.Hour, session.AMRPassword), "", false, true},
		{"the request's level still counts without a policy", storage.WorkspacePolicy{}, password, session.ACRTwoFactor, false, false},
		{"a password alone where the policy requires a second factor", mfa, password, "", false, false},
		{"a password and a code where the policy requires a second factor", mfa, withCode, "", false, true},
		{"a passkey where the policy requires a second factor", mfa, withPasskey, "", false, true},
		{"the policy does not lower the request's level", mfa, withCode, session.ACRPasskey, false, false},
		{"a password where only passkeys are allowed, even with a code", passkeyOnly, withCode, "", false, false},
		{"a passkey where only passkeys are allowed", passkeyOnly, withPasskey, "", false, true},
		{"a sign-in within the session lifetime", eightHours, signed(8*time.Hour, session.AMRPassword), "", false, true},
		{"a sign-in older than the session lifetime", eightHours, signed(8*time.Hour+time.Second, session.AMRPassword), "", false, false},
		{"a sign-in made during the request stands for the lifetime", eightHours, signed(9*time.Hour, session.AMRPassword), "", true, true},
		{"a fresh sign-in still needs an allowed method", passkeyOnly, signed(0, session.AMRPassword), "", true, false},
		{"a fresh sign-in still needs the second factor", mfa, signed(0, session.AMRPassword), "", true, false},
	} {
		if got := session.MeetsPolicy(c.p, c.ls, c.want, c.fresh, now); got != c.meets {
			t.Errorf("%s: MeetsPolicy = %v, want %v", c.name, got, c.meets)
		}
	}
}
