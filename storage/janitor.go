package storage

import (
	"context"
	"time"
)

// PurgeArea names a kind of expiring record the janitor deletes once it
// has expired.
type PurgeArea string

// Areas a Purger deletes from. The comment on each says which records of
// it have "ended before" a time t; a record without an expiry (a zero time)
// never ends.
const (
	// PurgeTokens: codes, access tokens, refresh tokens, PKCE and OpenID
	// Connect records, and pushed authorization requests nobody used,
	// whose ExpiresAt is before t, whether active or not.
	//
	// Each record goes on its own expiry, not with its family: a rotated
	// refresh token that has not expired stays until it does, so that
	// presenting it again still revokes its family (RFC 9700 section
	// 4.14.2); once it has expired it can no longer be redeemed by anyone,
	// and keeping it would let the family of a client that refreshes for
	// years grow without bound. A whole family is gone once every record of
	// it has expired. Records with a zero ExpiresAt are kept.
	PurgeTokens PurgeArea = "tokens"
	// PurgeLoginSessions: browser sessions whose ExpiresAt is before t.
	PurgeLoginSessions PurgeArea = "login_sessions"
	// PurgeFlows: pending authorization requests whose ExpiresAt is before t.
	PurgeFlows PurgeArea = "flows"
	// PurgeDeviceAuthorizations: device authorization requests (RFC 8628)
	// whose ExpiresAt is before t, whatever their state: once expired
	// neither code is usable.
	PurgeDeviceAuthorizations PurgeArea = "device_authorizations"
	// PurgeLinks: one-time links whose ExpiresAt is before t (consumed
	// links are already gone).
	PurgeLinks PurgeArea = "links"
	// PurgeInvitations: workspace invitations whose ExpiresAt is before
	// t, accepted or not: an expired one can no longer be accepted, and
	// an accepted one lives on as the membership it made.
	PurgeInvitations PurgeArea = "invitations"
	// PurgeJTIs: client assertion IDs whose exp is before t (RFC 7523
	// section 3: an ID need only be remembered until its assertion
	// expires).
	PurgeJTIs PurgeArea = "jtis"
	// PurgeCounters: failure counters whose LastFailure is before t. The
	// caller passes now minus the longest quiet period after which the
	// throttle forgets failures, so that only counters that count nothing
	// any more go.
	PurgeCounters PurgeArea = "counters"
	// PurgeRegistrationTokens: initial access tokens of dynamic client
	// registration whose RegistrationToken.EndedAt is before t: expired,
	// revoked, or used up, whichever came first.
	PurgeRegistrationTokens PurgeArea = "registration_tokens"
)

// PurgeAreas returns every area, in the order the janitor visits them.
func PurgeAreas() []PurgeArea {
	return []PurgeArea{PurgeTokens, PurgeLoginSessions, PurgeFlows, PurgeDeviceAuthorizations, PurgeLinks, PurgeInvitations, PurgeJTIs, PurgeCounters, PurgeRegistrationTokens}
}

// Locker takes a lock shared by every node of the deployment: the
// janitor's, so that one node at a time runs a round.
type Locker interface {
	// TryLock takes the lock called name if no one holds it, without
	// waiting: ok is false when it is held elsewhere. unlock releases it.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// LockingStore is a Store with the lock between nodes. The databases
// (storage/postgres, storage/memory) are, and so is the cache over one
// (storage/redis), which passes the lock on.
type LockingStore interface {
	Store
	Locker
}

// Purger deletes records whose life has ended, a bounded batch at a time,
// so that expiring tables do not grow without bound while each call stays
// short.
type Purger interface {
	// Purge deletes at most limit records of area whose life ended
	// strictly before before (see each PurgeArea), and returns how many it
	// deleted: fewer than limit means none is left, as far as this call
	// could see. A record changed concurrently so that it is live again
	// (a flow or a JTI given a later expiry, a counter a new failure) is
	// not deleted. Records of other areas and live records are never
	// touched. A limit below 1 or an unknown area is an error, and
	// nothing is deleted.
	Purge(ctx context.Context, area PurgeArea, before time.Time, limit int) (int, error)
}
