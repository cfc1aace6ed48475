// Package throttle slows down guessing. Failed attempts (passwords, TOTP
// codes, recovery codes) are counted per key — an account or a client IP —
// in storage, so every node sees them. Up to a free number of failures
// nothing happens; after that each further attempt must wait twice as long
// as the one before, up to a ceiling, and a success clears the account's
// count. Counts are forgotten after a quiet period.
package throttle
