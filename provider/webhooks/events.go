package webhooks

import (
	"encoding/json"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

// Event types, what a subscription filters on and the payload's type.
const (
	UserCreated        = "user.created"         // an account made: by an admin, by registration, at a first upstream sign-in
	UserDisabled       = "user.disabled"        // an account disabled by an admin
	UserDeleted        = "user.deleted"         // an account deleted
	SessionEnded       = "session.ended"        // sign-out, sign-out everywhere, a password reset or change, an upstream's logout
	GrantGiven         = "grant.given"          // a user consented to an app's scopes
	GrantWithdrawn     = "grant.withdrawn"      // a grant withdrawn, its tokens revoked
	AppSecretRotated   = "app.secret_rotated"   // an app's client secret rotated
	TokenFamilyRevoked = "token.family_revoked" // a token family revoked (RFC 7009, or a refresh token reused)
)

// EventTypes returns every event type, in a stable order.
func EventTypes() []string {
	return []string{UserCreated, UserDisabled, UserDeleted, SessionEnded, GrantGiven, GrantWithdrawn, AppSecretRotated, TokenFamilyRevoked}
}

// eventTypeOf is the table from a record's action to its event type; an
// action not in it sends nothing.
func eventTypeOf(action string) (string, bool) {
	switch action {
	case audit.UserCreated, audit.UpstreamJITCreated:
		return UserCreated, true
	case audit.UserDisabled:
		return UserDisabled, true
	case audit.UserDeleted:
		return UserDeleted, true
	case audit.SignOut, audit.SignOutEverywhere, audit.PasswordReset, audit.PasswordChanged, audit.UpstreamLogout:
		return SessionEnded, true
	case audit.ConsentGranted:
		return GrantGiven, true
	case audit.ConsentWithdrawn:
		return GrantWithdrawn, true
	case audit.SecretRotated:
		return AppSecretRotated, true
	case audit.TokenRevoked, audit.RefreshReuse:
		return TokenFamilyRevoked, true
	}
	return "", false
}

// EventOf returns the event type rec is sent as, and false when it is
// none: an action outside the table, or a refusal (a failed outcome)
// other than a reused refresh token, whose record is a failure but whose
// family is revoked all the same.
func EventOf(rec storage.AuditRecord) (string, bool) {
	typ, ok := eventTypeOf(rec.Action)
	if !ok || (rec.Outcome == audit.Failure && rec.Action != audit.RefreshReuse) {
		return "", false
	}
	return typ, true
}

// Payload is the body of a message (Standard Webhooks' shape).
type Payload struct {
	Type string `json:"type"`
	// Timestamp is when the event happened (RFC 3339).
	Timestamp string `json:"timestamp"`
	Data      Data   `json:"data"`
}

// Data names what the event concerns: identifiers only, never a token,
// a code or a secret.
type Data struct {
	// Record is the ID of the authorization record the event is.
	Record int64 `json:"record_id"`
	// Action is the record's action (audit.Actions), finer than the type.
	Action      string   `json:"action"`
	Subject     string   `json:"subject,omitempty"`
	ClientID    string   `json:"client_id,omitempty"`
	WorkspaceID string   `json:"workspace_id,omitempty"`
	Scopes      []string `json:"scopes,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	Actor       Actor    `json:"actor"`
}

// Actor is who caused the event (audit's actor types).
type Actor struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
}

// payloadOf returns the body of the message of rec as event type typ.
func payloadOf(typ string, rec storage.AuditRecord) ([]byte, error) {
	return json.Marshal(Payload{
		Type:      typ,
		Timestamp: rec.Time.UTC().Format(time.RFC3339Nano),
		Data: Data{Record: rec.ID, Action: rec.Action, Subject: rec.Subject, ClientID: rec.ClientID,
			WorkspaceID: rec.WorkspaceID, Scopes: rec.Scopes, Reason: rec.Reason,
			Actor: Actor{Type: rec.ActorType, ID: rec.ActorID}},
	})
}
