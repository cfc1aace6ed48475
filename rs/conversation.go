package rs

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Conversation grants (RFC 9396 Rich Authorization Requests). TokenIM
// Auth grants apps access to single conversations and channels with
// authorization_details of the types im_conversation (locations
// "conv:ID") and im_channel (locations "chan:ID"), each with actions such
// as messages.read, messages.send and calls.read. A token carries the
// details it was granted in its introspection answer and its JWT claims
// alike ("authorization_details").

// ScopeForAction is the IM scope that grants action in every
// conversation: "im:" + action (im:messages.send for messages.send).
func ScopeForAction(action string) string { return "im:" + action }

// AllowsConversation reports whether the token may do action in the
// conversation or channel at location ("conv:ID" or "chan:ID"): it
// carries a detail of that location's type naming both, or it carries the
// action's broad scope (ScopeForAction), which the user granted for all
// their conversations.
func (t Token) AllowsConversation(action, location string) bool {
	return t.HasScope(ScopeForAction(action)) || t.HasConversationDetail(action, location)
}

// HasConversationDetail reports whether the token carries an
// authorization detail granting action at location, leaving the broad
// scope aside.
func (t Token) HasConversationDetail(action, location string) bool {
	typ := locationType(location)
	if typ == "" {
		return false
	}
	details, _ := t.Claims["authorization_details"].([]any)
	for _, d := range details {
		obj, _ := d.(map[string]any)
		if obj["type"] == typ && containsString(obj["actions"], action) && containsString(obj["locations"], location) {
			return true
		}
	}
	return false
}

// locationType is the detail type of a location, by its prefix; "" for
// anything else.
func locationType(location string) string {
	prefix, id, ok := strings.Cut(location, ":")
	if !ok || id == "" {
		return ""
	}
	switch prefix {
	case "conv":
		return "im_conversation"
	case "chan":
		return "im_channel"
	}
	return ""
}

// asLocation is the location v names: v itself when it is one ("conv:ID",
// "chan:ID"), "conv:" + v for a bare ID (no colon), and "" (none) for
// anything else.
func asLocation(v string) string {
	switch {
	case locationType(v) != "":
		return v
	case v != "" && !strings.Contains(v, ":"):
		return "conv:" + v
	}
	return ""
}

// containsString reports whether v, a decoded JSON array, holds s.
func containsString(v any, s string) bool {
	list, _ := v.([]any)
	return slices.Contains(list, any(s))
}

// RequireConversation returns middleware letting a request through only
// when the token Middleware put in its context may do action in the
// conversation locationFrom names for the request (Token.AllowsConversation):
// a detail naming that conversation and action, or the action's broad
// scope. locationFrom returns the conversation as the provider's
// locations spell it, "conv:" + its ID (or "chan:" + a channel's ID), or
// the bare ID of a conversation, which stands for "conv:" + ID; for
// example, for a route "POST /conversations/{id}/messages":
//
//	rs.RequireConversation("messages.send", func(r *http.Request) string { return r.PathValue("id") })
//
// Otherwise it answers 403 insufficient_scope (RFC 6750 section 3.1)
// naming the broad scope that would also do, with the same JSON body as
// RequireScope's. It belongs inside Middleware; a request without a
// verified token gets 401. action must be printable ASCII without spaces,
// quotes or backslashes; RequireConversation panics on any other value,
// as a mux panics on a malformed pattern.
func RequireConversation(action string, locationFrom func(*http.Request) string) func(http.Handler) http.Handler {
	if action == "" || unquotable(action) {
		panic(fmt.Sprintf("rs: RequireConversation: action %q is not printable ASCII without spaces, quotes or backslashes", action))
	}
	scope := ScopeForAction(action)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := verified(w, r)
			if !ok {
				return
			}
			if !a.token.AllowsConversation(action, asLocation(locationFrom(r))) {
				a.challenge.refuse(w, http.StatusForbidden, errorBody{
					Error:       "insufficient_scope",
					Description: "The access token grants " + action + " neither in this conversation (authorization_details) nor in all of them (scope " + scope + ").",
					Scope:       scope,
				})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
