package storage

import (
	"context"
	"time"
)

// SessionSignIn records that a browser's login session signed its user in
// to a client: an authorization response was issued to the client in that
// session (OpenID Connect Back-Channel Logout 1.0 section 2.1). When the
// session ends, each client signed in through it that registered a
// back-channel logout URI is told.
type SessionSignIn struct {
	SessionID string
	ClientID  string
	// SID is the session's sid claim, as the client saw it in its ID token.
	SID string
}

// LogoutDelivery is a logout notification waiting to be sent to a client's
// back-channel logout URI (section 2.5). It holds no token: the logout
// token is signed when it is sent, with a fresh iat, exp and jti each time.
type LogoutDelivery struct {
	// ID orders deliveries by when they were queued.
	ID       int64
	ClientID string
	// Subject is the user signed out, the token's sub.
	Subject string
	// SID is the ended session's sid; empty when no session is known.
	SID string
	// Attempts counts the sends begun, this one included once claimed.
	Attempts int
	// DueAt is when the delivery may next be sent; zero means at once.
	DueAt time.Time
}

// BackchannelLogouts keeps which clients each login session signed in to,
// and the outbox of logout notifications.
//
// Deliveries are queued by LoginSessions.DeleteLoginSession and
// DeleteUserLoginSessions themselves, in the same write as the deletion
// (and so in the caller's transaction, if any): one delivery, due at once,
// for each client with a BackchannelLogoutURI that the ended session signed
// in to, carrying the session's user and sid. A session that merely
// expires (the janitor's purge) queues nothing; its sign-ins go with it.
// Deleting a client removes its sign-ins and deliveries.
type BackchannelLogouts interface {
	// RecordSessionSignIn remembers s; recording the same session and
	// client again is not an error and keeps the first record.
	// ErrNotFound if the session or the client does not exist.
	RecordSessionSignIn(ctx context.Context, s SessionSignIn) error
	// ClaimLogoutDeliveries takes up to limit deliveries due at now
	// (DueAt zero or not after now), oldest first, for one sender: each
	// taken delivery's Attempts goes up by one and its DueAt becomes
	// now+lease, so that no other caller takes it until the lease ends
	// (a sender that dies is retried after it). Concurrent calls never
	// return the same delivery: one skips what another is taking rather
	// than wait for it. A limit below 1 is an error.
	ClaimLogoutDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]LogoutDelivery, error)
	// RescheduleLogoutDelivery makes the delivery due again at due.
	// ErrNotFound if absent.
	RescheduleLogoutDelivery(ctx context.Context, id int64, due time.Time) error
	// FinishLogoutDelivery removes the delivery: sent, or given up.
	// ErrNotFound if absent (finished by another sender whose lease had
	// run out).
	FinishLogoutDelivery(ctx context.Context, id int64) error
}
