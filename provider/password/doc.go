// Package password hashes and checks user passwords with argon2id, using
// the OWASP Password Storage Cheat Sheet's parameters (19 MiB of memory,
// two iterations, one lane), and enforces the length rules.
package password
