// Package keys manages the provider's signing keys: it generates them
// (ES256 by default, RS256 available), seals each private key with
// AES-256-GCM under a key derived from the system secret before it reaches
// storage, publishes the public halves as a JWKS (go-jose v4), and rotates.
//
// Exactly one key is current and signs new tokens. Rotation makes a new key
// current and keeps the old one published until every token it signed has
// expired, so relying parties verify tokens issued before a rotation. Every
// node reads keys from storage and refreshes its copy after a short cache
// period, so a rotation on one node reaches the others without a restart.
//
// The sealed keys are also the store's check of the system secret: serve
// refuses to start, and Rotate to seal a key, when a stored key does not
// open (Check, ErrWrongSecret), and readiness asks whether the current
// key opens (Ping).
package keys
