// Package password hashes and checks user passwords with argon2id, using
// the OWASP Password Storage Cheat Sheet's parameters (19 MiB of memory,
// two iterations, one lane), and enforces the length rules.
//
// Every request path hashes and verifies through one Pool per process
// (built in cmd/tokenim-auth, handed to the handlers): it bounds how many
// hashes run at once and how many wait, so a flood of sign-ins,
// registrations or resets costs at most Workers × 19 MiB and is answered
// with ErrBusy (503 and Retry-After) beyond that. The functions Hash and
// Verify are for the command-line tools, which hash one password at a
// time.
package password
