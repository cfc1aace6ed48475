// Package keys manages the provider's signing keys: it generates them, an
// ES256 (P-256) and an RS256 (RSA 2048) key side by side, seals each
// private key with AES-256-GCM under a key derived from the system secret
// before it reaches storage, publishes the public halves as a JWKS
// (go-jose v4), and rotates.
//
// One key of each algorithm is current and signs new tokens of that
// algorithm: an ID token with the algorithm its client registered
// (CurrentOf), what has no per-client algorithm with the provider's own
// (Config.Algorithm, Current). Rotation makes a new key of every algorithm
// current and keeps the old ones published until every token they signed
// has expired, so relying parties verify tokens issued before a rotation.
// Every node reads keys from storage and refreshes its copy after a short
// cache period, so a rotation on one node reaches the others without a
// restart.
//
// The sealed keys are also the store's check of the system secret: serve
// refuses to start, and Rotate to seal a key, when a stored key does not
// open (Check, ErrWrongSecret), and readiness asks whether the current
// keys open (Ping).
package keys
