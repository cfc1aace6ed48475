package session

import (
	"slices"
	"strings"
)

// Authentication context classes (the acr claim) a sign-in can reach,
// ordered: a higher level meets every request for a lower one.
const (
	// ACRPassword is one factor: a password alone, or a passkey the
	// authenticator did not verify its user for.
	ACRPassword = "1"
	// ACRTwoFactor is two factors: a password and an authenticator code
	// or recovery code.
	ACRTwoFactor = "2"
	// ACRPasskey is two factors, one of them a passkey: a passkey the
	// authenticator verified its user for (a PIN, a fingerprint, a face),
	// or a password and a passkey. A passkey is bound to the provider's
	// origin, so this level resists phishing.
	ACRPasskey = "3"
)

// ACRLevels are the levels in order, for the discovery document.
var ACRLevels = []string{ACRPassword, ACRTwoFactor, ACRPasskey}

// Authentication methods (the amr claim, RFC 8176 section 2) a sign-in
// is made of.
const (
	AMRPassword    = "pwd"  // a password
	AMROTP         = "otp"  // an authenticator app's code or a recovery code
	AMRHardwareKey = "hwk"  // a passkey held on one device (not backup eligible)
	AMRSoftwareKey = "swk"  // a passkey synced across devices (backup eligible)
	AMRUser        = "user" // the authenticator tested that a user was present
	AMRPIN         = "pin"  // the authenticator verified its user (PIN or biometric)
	AMRMFA         = "mfa"  // more than one factor
	// AMRFederated: an upstream identity provider signed the user in
	// (provider/login's upstream sign-in). It stands for one factor, as
	// a password does; what the upstream says it checked is not taken
	// for factors of this provider's.
	AMRFederated = "fed"
)

// AMR returns the amr claim of a sign-in made with methods: each once,
// in a fixed order, with "mfa" added when they are more than one factor.
func AMR(methods ...string) []string {
	order := []string{AMRFederated, AMRPassword, AMROTP, AMRHardwareKey, AMRSoftwareKey, AMRUser, AMRPIN}
	var amr []string
	for _, m := range order {
		if slices.Contains(methods, m) {
			amr = append(amr, m)
		}
	}
	if multiFactor(amr) {
		amr = append(amr, AMRMFA)
	}
	return amr
}

// ACR is the level a sign-in with the methods of amr reaches.
func ACR(amr []string) string {
	key := slices.Contains(amr, AMRHardwareKey) || slices.Contains(amr, AMRSoftwareKey)
	switch {
	case multiFactor(amr) && key:
		return ACRPasskey
	case multiFactor(amr):
		return ACRTwoFactor
	default:
		return ACRPassword
	}
}

// multiFactor reports whether amr holds two kinds of factor: something
// known (a password, or an upstream's sign-in in its place) with
// something held (a code's device, a passkey), or a passkey whose
// authenticator verified its user.
func multiFactor(amr []string) bool {
	has := func(m string) bool { return slices.Contains(amr, m) }
	key := has(AMRHardwareKey) || has(AMRSoftwareKey)
	first := has(AMRPassword) || has(AMRFederated)
	return first && (has(AMROTP) || key) || key && has(AMRPIN)
}

// level is an acr value's place in the order; 0 for a value the provider
// does not issue.
func level(acr string) int {
	return slices.Index(ACRLevels, acr) + 1
}

// WantedACR is the level an authorization request's acr_values ask for:
// the lowest of the levels it lists that the provider knows, as any of
// them will do (OpenID Connect Core 1.0 section 3.1.2.1); "" when it lists
// none of them.
func WantedACR(acrValues string) string {
	wanted := 0
	for _, v := range strings.Fields(acrValues) {
		if l := level(v); l > 0 && (wanted == 0 || l < wanted) {
			wanted = l
		}
	}
	if wanted == 0 {
		return ""
	}
	return ACRLevels[wanted-1]
}

// Required is the level an authorization request needs: what its
// acr_values ask for (WantedACR), and at least two factors when the user's
// role requires a second factor.
func Required(acrValues string, roleNeedsTwoFactor bool) string {
	want := WantedACR(acrValues)
	if roleNeedsTwoFactor {
		want = Stronger(want, ACRTwoFactor)
	}
	return want
}

// MeetsACR reports whether a sign-in at level have meets a request for
// level want ("" asks for nothing).
func MeetsACR(have, want string) bool {
	return want == "" || level(have) >= level(want) && level(have) > 0
}

// Stronger returns the higher of two levels.
func Stronger(a, b string) string {
	if level(b) > level(a) {
		return b
	}
	return a
}
