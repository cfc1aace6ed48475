// Package passkey runs the WebAuthn ceremonies (W3C Web Authentication
// Level 3) that register a passkey to an account and sign in with one,
// with github.com/go-webauthn/webauthn doing the protocol's checks.
//
// It owns no routes: the account page (provider/account) registers
// passkeys through Register, and the sign-in pages (provider/login) use
// Login for a sign-in without a password, for autofill, and as the second
// step after a password. Each ceremony has two halves. The first returns
// the options the browser's navigator.credentials call takes and a sealed
// state (the challenge, whose ceremony it is, for whom, until when),
// encrypted and authenticated with a key derived from the system secret;
// the page sends the state back with the authenticator's answer. The
// second half opens the state, has the library verify the answer (origin,
// relying-party ID hash, challenge, signature, flags) and remembers the
// challenge as used (storage.JTIs), so an answer is accepted once. No
// state is kept on the server between the halves: starting a ceremony
// costs no memory, whoever asks.
//
// A sign-in updates the passkey's signature counter in one atomic step
// with the check that it went forward: a counter that goes back is the
// mark of a cloned authenticator (§6.1.1), refused as ErrCloned.
//
// The relying-party ID and the origins come from the issuer unless the
// configuration names them (webauthn.rp_id, webauthn.origins).
package passkey
