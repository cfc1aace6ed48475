// Package mfa is the second factor of a sign-in: time-based one-time
// passwords and recovery codes. It holds no state and owns no routes; the
// login package stores what it returns and calls it with its clock.
//
// TOTP follows RFC 6238 with the parameters every authenticator app
// understands: HMAC-SHA-1, 6 digits, a 30-second time step. The code
// arithmetic is github.com/pquerna/otp's; this package chooses the
// parameters and adds what a server needs around it:
//
//   - Skew: Verify accepts the current step and one step either side, so a
//     phone clock 30 seconds off, or a code typed just as it changed, still
//     works.
//   - Single use: Verify takes the last step the account used and accepts
//     only later steps; it returns the step of the accepted code, which the
//     caller stores as the new last step. A code cannot be replayed inside
//     its window, and neither can an older one after a newer one was used.
//     A freshly enrolled account has last step 0.
//   - Secrets at rest: the base32 secret is sealed (AES-256-GCM, a key
//     derived from the system secret for secret.PurposeTOTP) and bound to
//     the user ID, so a sealed secret copied to another account does not
//     open.
//
// Recovery codes are for a lost phone: NewRecoveryCodes makes ten codes of
// ten characters (about 50 bits each) from an alphabet without look-alike
// characters, shown once as xxxxx-xxxxx. Only keyed hashes are stored
// (HMAC-SHA-256 under the secret.PurposeRecoveryCodes key); with this much
// entropy a keyed hash is the right tool, as for client secrets. A code is
// good for one sign-in: the caller removes the hash that matched.
package mfa
