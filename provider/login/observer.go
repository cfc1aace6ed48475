package login

// Observer is told of each refused sign-in, for metrics. It is called on
// the request path: it must be cheap and safe for concurrent use.
type Observer interface {
	// SignInFailed is called with one of the Reason* constants.
	SignInFailed(reason string)
}

// Why a sign-in was refused, as reported to the Observer. The page shown
// does not always say as much: an unknown account and a wrong password
// get the same answer.
const (
	// ReasonUnknownAccount: no account has the email given.
	ReasonUnknownAccount = "unknown_account"
	// ReasonWrongPassword: the password does not match the account's.
	ReasonWrongPassword = "wrong_password"
	// ReasonAccountPending: the right password, but the account is not
	// activated yet.
	ReasonAccountPending = "account_pending"
	// ReasonAccountDisabled: the right password, but the account is
	// disabled.
	ReasonAccountDisabled = "account_disabled"
	// ReasonThrottled: too many recent failures for the account or the
	// client IP; the attempt was refused unchecked.
	ReasonThrottled = "throttled"
	// ReasonWrongTOTP: the second step's authenticator code is wrong or
	// was already used.
	ReasonWrongTOTP = "wrong_totp"
	// ReasonWrongRecoveryCode: the second step's recovery code is wrong or
	// was already used.
	ReasonWrongRecoveryCode = "wrong_recovery_code"
	// ReasonPasskeyRefused: a passkey's answer did not verify.
	ReasonPasskeyRefused = "passkey_refused"
	// ReasonPasskeyWrongOrigin: a passkey's answer was made on a page of
	// another origin (a phishing page).
	ReasonPasskeyWrongOrigin = "passkey_wrong_origin"
	// ReasonPasskeyUnknown: a passkey no account holds (removed).
	ReasonPasskeyUnknown = "passkey_unknown"
	// ReasonPasskeyCloned: a passkey whose signature counter went back.
	ReasonPasskeyCloned = "passkey_cloned"
)

// FailureReasons lists every reason SignInFailed reports.
func FailureReasons() []string {
	return []string{
		ReasonUnknownAccount, ReasonWrongPassword, ReasonAccountPending, ReasonAccountDisabled,
		ReasonThrottled, ReasonWrongTOTP, ReasonWrongRecoveryCode,
		ReasonPasskeyRefused, ReasonPasskeyWrongOrigin, ReasonPasskeyUnknown, ReasonPasskeyCloned,
	}
}

// nopObserver is the Observer of a handler configured without one.
type nopObserver struct{}

func (nopObserver) SignInFailed(string) {}

func (nopObserver) UpstreamRequest(string, string) {}
