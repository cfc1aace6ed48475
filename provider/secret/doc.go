// Package secret turns the system secret into purpose-bound keys and
// handles client secrets: generation (256 bits from crypto/rand), keyed
// hashing (HMAC-SHA-256) and constant-time comparison.
//
// Client secrets are high-entropy machine secrets, so a keyed hash is the
// right tool: a slow password hash such as bcrypt would add nothing against
// guessing and would throttle the token endpoint. The HMAC key is derived
// from the system secret, so a stolen database alone does not allow
// checking candidate secrets offline.
//
// The system secret can be rotated: a Keyring given the previous secrets
// (WithPrevious) seals and hashes under the current secret only, and opens
// and compares under any of them. Each hash starts with a tag naming its
// key, so the values still needing a previous secret can be counted
// (Hasher.UnderCurrent); sealed values are moved to the current secret
// with Sealer.Reseal.
package secret
