// Package authzdetails reads, checks and narrows the authorization_details
// of RFC 9396 (OAuth 2.0 Rich Authorization Requests) for the two types
// TokenIM Auth knows: im_conversation and im_channel, grants as narrow as
// one conversation or channel.
//
// A request's authorization_details is a JSON array of objects, each with
// exactly these members:
//
//		{"type": "im_conversation", "actions": ["messages.read", "messages.send"], "locations": ["conv:123"]}
//
//	  - type: im_conversation (locations "conv:ID") or im_channel
//	    (locations "chan:ID"); ID is 1 to 64 characters of A-Z a-z 0-9 _ -.
//	  - actions: at least one, each from a fixed vocabulary tied to an IM
//	    scope (Scope): messages.read (im:messages.read), messages.send
//	    (im:messages.send), calls.read (im:calls.read).
//	  - locations: at least one, at most MaxLocations.
//
// Anything else, a member of another name (the RFC's datatypes,
// identifier, privileges included: no type here defines them), a value of
// the wrong kind, more than MaxDetails objects or a parameter longer than
// MaxBytes is refused with ErrInvalid, which the endpoints answer as
// invalid_authorization_details (RFC 9396 section 5).
//
// What is granted is a set of grants, each one action on one location of
// one type (Grant): Parse returns the details deduplicated, Narrow keeps
// only the actions whose scope the caller allows (client ∩ role, decided
// by provider/consent.Narrow), and Covers says whether a remembered set
// covers a request. The package imports only the standard library.
package authzdetails
