package storage

import (
	"context"
	"time"
)

// TokenKind tells apart the records fosite keeps for a request.
type TokenKind string

// Token kinds.
const (
	// KindAuthorizeCode is an authorization code (RFC 6749 section 4.1).
	KindAuthorizeCode TokenKind = "authorize_code"
	// KindAccessToken is an access token.
	KindAccessToken TokenKind = "access_token"
	// KindRefreshToken is a refresh token.
	KindRefreshToken TokenKind = "refresh_token"
	// KindPKCE is the PKCE challenge stored with an authorization code.
	KindPKCE TokenKind = "pkce"
	// KindOpenID is the OpenID Connect request stored with an
	// authorization code until the ID token is issued.
	KindOpenID TokenKind = "openid"
	// KindPAR is a pushed authorization request (RFC 9126), waiting for
	// the browser to bring its request_uri to the authorization endpoint;
	// its signature is a keyed hash of the request_uri. It is deleted when
	// used, so a request_uri works once, and purged once expired.
	KindPAR TokenKind = "par"
)

// TokenKinds returns every kind, for tests and maintenance.
func TokenKinds() []TokenKind {
	return []TokenKind{KindAuthorizeCode, KindAccessToken, KindRefreshToken, KindPKCE, KindOpenID, KindPAR}
}

// Token is what the provider keeps of an issued code or token: its
// signature (never a usable token), the request it belongs to, and the
// columns we query by.
type Token struct {
	Kind TokenKind
	// Signature identifies the token; the token itself is never stored.
	Signature string
	// RequestID is shared by every code and token issued from one
	// authorization: it is the token family that a refresh keeps and a
	// reuse revokes. Each device's sign-in starts its own family.
	RequestID string
	ClientID  string
	// Subject is the user's ID; empty for client-credentials tokens.
	Subject string
	// Scopes are the granted scopes.
	Scopes []string
	// WorkspaceID is the workspace the token was issued for (its org_id
	// claim); empty for a token of a client not bound to a workspace and
	// for tokens stored before workspaces. A refresh keeps it.
	WorkspaceID string
	// Active is false once a code is redeemed, a refresh token rotated or
	// any token revoked.
	Active      bool
	RequestedAt time.Time
	// ExpiresAt is zero when the token does not expire.
	ExpiresAt time.Time
	// RotatedAt is when a refresh token was first retired by rotation;
	// zero while it is active, for other kinds, and once it is revoked (a
	// revocation clears it), so that a rotated token's reuse window
	// (RotateRefreshToken) never outlives a revocation of its family.
	RotatedAt time.Time
	// AccessSignature links a refresh token to the access token issued
	// with it.
	AccessSignature string
	// Session is the serialized fosite request, opaque to storage.
	Session []byte
}

// WithinReuse says whether t is a refresh token rotated less than window
// before at and not revoked since: presenting it again at at is a retry
// of its rotation, not a reuse (RotateRefreshToken).
func (t Token) WithinReuse(at time.Time, window time.Duration) bool {
	return !t.Active && !t.RotatedAt.IsZero() && at.Sub(t.RotatedAt) < window
}

// Tokens stores codes and tokens by signature. A (Kind, Signature) pair
// is unique.
type Tokens interface {
	// CreateToken stores t. ErrAlreadyExists if (t.Kind, t.Signature)
	// exists; ErrNotFound if the client does not exist.
	CreateToken(ctx context.Context, t Token) error
	// CreateTokenRecorded is CreateToken that also appends rec (as
	// Audit.AppendAudit does), the authorization record of issuing t,
	// atomically with it: both are stored or neither. On Postgres both go
	// in one statement, so that issuing a token stays one round trip.
	CreateTokenRecorded(ctx context.Context, t Token, rec AuditRecord) error
	// GetToken returns the token, active or not, expired or not: callers
	// decide what an inactive or expired token means. ErrNotFound if absent.
	GetToken(ctx context.Context, kind TokenKind, signature string) (Token, error)
	// DeleteToken removes the token. ErrNotFound if absent.
	DeleteToken(ctx context.Context, kind TokenKind, signature string) error
	// DeactivateToken marks an active token inactive, exactly once: of two
	// concurrent calls one succeeds and the other gets ErrConflict, as does
	// any call on an inactive token (a code redeemed twice). ErrNotFound if
	// absent.
	DeactivateToken(ctx context.Context, kind TokenKind, signature string) error
	// RotateRefreshToken retires the active refresh token with signature
	// in the family requestID, recording at as its RotatedAt, and with it
	// every access token of the family (RFC 9700 section 4.14.2).
	//
	// A token already rotated less than window before at (and not revoked
	// since) is within its reuse window: rotating it again succeeds and
	// changes nothing, so that the pairs issued by the earlier rotations
	// stay valid. A concurrent rotation of one token waits for the one in
	// progress, then is such a rotation within the window. Outside the
	// window (window 0: always) a rotation of an inactive token gets
	// ErrConflict, as does the loser of concurrent rotations. ErrNotFound
	// if no such refresh token is in the family.
	//
	// It returns the signatures of the access tokens it retired (none for
	// a rotation within the window), so that what caches them can drop
	// exactly those.
	RotateRefreshToken(ctx context.Context, requestID, signature string, at time.Time, window time.Duration) (retired []string, err error)
	// RevokeFamily marks every token of kind in the family requestID
	// inactive and clears the RotatedAt of its rotated ones (RFC 7009;
	// refresh reuse; a replayed code). It returns the signatures of those
	// that were active, so that what caches them can drop exactly those;
	// none is not an error. RevokeSubject, RevokeSubjectBeyond and
	// RevokeSubjectWorkspace clear RotatedAt of the tokens they match in
	// the same way.
	RevokeFamily(ctx context.Context, kind TokenKind, requestID string) (revoked []string, err error)
	// FamilyActive reports whether the family requestID still holds an
	// access or refresh token that is active and not expired at now: the
	// grant lives (a rotation keeps it alive; a revocation of the family,
	// of its user or of its client's consent ends it). Tokens derived by
	// token exchange live only as long as their subject's family does.
	FamilyActive(ctx context.Context, requestID string, now time.Time) (bool, error)
	// RevokeSubject marks every access and refresh token of the user
	// subject inactive — of one client when clientID is not empty (a
	// withdrawn consent), of all clients otherwise (a password reset, a
	// disabled account). It returns how many were active.
	RevokeSubject(ctx context.Context, subject, clientID string) (int, error)
	// RevokeSubjectBeyond marks inactive every access and refresh token of
	// the user subject that carries a scope not in allowed (the user's role
	// was lowered), and returns how many were active.
	RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error)
	// RevokeSubjectWorkspace marks inactive every access and refresh token
	// of the user subject issued for the workspace workspaceID (the user
	// left it or was removed from it), of every client, and returns how
	// many were active. Tokens of the user's other workspaces, and those
	// with no workspace, stay. An empty subject or workspaceID matches
	// nothing.
	RevokeSubjectWorkspace(ctx context.Context, subject, workspaceID string) (int, error)
	// RevokeClientWorkspace marks inactive every access and refresh token
	// of the client issued for the workspace workspaceID, whoever its
	// subject (the app's installation there narrowed or removed: its bot's
	// tokens and its members' alike), clears their RotatedAt as
	// RevokeSubject does, and returns how many were active. The client's
	// tokens of other workspaces, and those with no workspace, stay. An
	// empty clientID or workspaceID matches nothing.
	RevokeClientWorkspace(ctx context.Context, clientID, workspaceID string) (int, error)
}
