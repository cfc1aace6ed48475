package registration

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of what a client may state of itself.
const (
	// maxListItems bounds each list field (redirect_uris, contacts, ...).
	maxListItems = 20
	// maxStringLen bounds each string, in bytes.
	maxStringLen = 2000
)

// Metadata is the client metadata of RFC 7591 section 2 (and of OpenID
// Connect Dynamic Client Registration 1.0 section 2) the provider takes.
// Other members are ignored, as section 2 asks.
type Metadata struct {
	RedirectURIs            []string
	PostLogoutRedirectURIs  []string
	TokenEndpointAuthMethod string
	GrantTypes              []string
	ResponseTypes           []string
	ClientName              string
	ClientURI               string
	LogoURI                 string
	Scope                   string
	Contacts                []string
	TOSURI                  string
	PolicyURI               string
	JWKSURI                 string
	SoftwareID              string
	SoftwareVersion         string
	// TokenEndpointAuthSigningAlg and IDTokenSignedResponseAlg are of
	// OpenID Connect Dynamic Client Registration 1.0 section 2.
	TokenEndpointAuthSigningAlg string
	IDTokenSignedResponseAlg    string
	// IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg
	// and IntrospectionEncryptedResponseEnc are of RFC 9701 section 6:
	// how the client's signed introspection answers are signed and
	// encrypted.
	IntrospectionSignedResponseAlg    string
	IntrospectionEncryptedResponseAlg string
	IntrospectionEncryptedResponseEnc string
	// ClientID and ClientSecret are sent back in an update (RFC 7592
	// section 2.2).
	ClientID     string
	ClientSecret string
	// DPoPBoundAccessTokens is dpop_bound_access_tokens (RFC 9449
	// section 5.2): the client will always send DPoP proofs, and the
	// token endpoint refuses its requests without one.
	DPoPBoundAccessTokens bool
	// JWKS reports that the client sent its keys by value (jwks), which
	// the provider does not keep: it fetches them from jwks_uri.
	JWKS bool
}

// ParseMetadata reads a registration request's JSON object. A member of
// the wrong type, too long, or holding a NUL is an invalid_client_metadata
// naming it (invalid_redirect_uri for the redirect URIs).
func ParseMetadata(body []byte) (Metadata, *Error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return Metadata{}, metadataError("", "the request body must be a JSON object of client metadata")
	}
	var m Metadata
	strs := []struct {
		name string
		to   *string
	}{
		{"token_endpoint_auth_method", &m.TokenEndpointAuthMethod}, {"client_name", &m.ClientName},
		{"client_uri", &m.ClientURI}, {"logo_uri", &m.LogoURI}, {"scope", &m.Scope}, {"tos_uri", &m.TOSURI},
		{"policy_uri", &m.PolicyURI}, {"jwks_uri", &m.JWKSURI}, {"software_id", &m.SoftwareID},
		{"software_version", &m.SoftwareVersion}, {"token_endpoint_auth_signing_alg", &m.TokenEndpointAuthSigningAlg},
		{"id_token_signed_response_alg", &m.IDTokenSignedResponseAlg}, {"client_id", &m.ClientID}, {"client_secret", &m.ClientSecret},
		{"introspection_signed_response_alg", &m.IntrospectionSignedResponseAlg},
		{"introspection_encrypted_response_alg", &m.IntrospectionEncryptedResponseAlg},
		{"introspection_encrypted_response_enc", &m.IntrospectionEncryptedResponseEnc},
	}
	for _, f := range strs {
		if v, ok := raw[f.name]; ok {
			if err := readString(f.name, v, f.to); err != nil {
				return Metadata{}, err
			}
		}
	}
	lists := []struct {
		name string
		to   *[]string
	}{
		{"redirect_uris", &m.RedirectURIs}, {"post_logout_redirect_uris", &m.PostLogoutRedirectURIs},
		{"grant_types", &m.GrantTypes}, {"response_types", &m.ResponseTypes}, {"contacts", &m.Contacts},
	}
	for _, f := range lists {
		if v, ok := raw[f.name]; ok {
			if err := readList(f.name, v, f.to); err != nil {
				return Metadata{}, err
			}
		}
	}
	if v, ok := raw["dpop_bound_access_tokens"]; ok {
		if err := readBool("dpop_bound_access_tokens", v, &m.DPoPBoundAccessTokens); err != nil {
			return Metadata{}, err
		}
	}
	if v, ok := raw["jwks"]; ok && string(v) != "null" {
		m.JWKS = true
	}
	return m, nil
}

// readString reads member name, a JSON string (null for none).
func readString(name string, v json.RawMessage, to *string) *Error {
	if string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, to); err != nil {
		return fieldError(name, "must be a string")
	}
	return checkText(name, *to)
}

// readBool reads member name, a JSON boolean (null for false).
func readBool(name string, v json.RawMessage, to *bool) *Error {
	if string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, to); err != nil {
		return fieldError(name, "must be true or false")
	}
	return nil
}

// readList reads member name, a JSON array of strings (null for none).
func readList(name string, v json.RawMessage, to *[]string) *Error {
	if string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, to); err != nil {
		return fieldError(name, "must be an array of strings")
	}
	if len(*to) > maxListItems {
		return fieldError(name, fmt.Sprintf("must have at most %d items", maxListItems))
	}
	for i, s := range *to {
		if err := checkText(fmt.Sprintf("%s[%d]", name, i), s); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a string too long or holding a NUL or bytes that are
// not UTF-8, which no store keeps.
func checkText(name, s string) *Error {
	switch {
	case len(s) > maxStringLen:
		return fieldError(name, fmt.Sprintf("must be at most %d bytes", maxStringLen))
	case strings.ContainsRune(s, 0) || !utf8.ValidString(s):
		return fieldError(name, "must be text, without a NUL")
	}
	return nil
}

// fieldError is the refusal of a field: invalid_redirect_uri for a
// redirect URI, invalid_client_metadata otherwise.
func fieldError(path, msg string) *Error {
	if strings.HasPrefix(path, "redirect_uris") || strings.HasPrefix(path, "post_logout_redirect_uris") {
		return &Error{Status: 400, Code: CodeInvalidRedirectURI, Description: path + ": " + msg}
	}
	return metadataError(path, msg)
}

// metadataError is invalid_client_metadata naming path (or none).
func metadataError(path, msg string) *Error {
	if path != "" {
		msg = path + ": " + msg
	}
	return &Error{Status: 400, Code: CodeInvalidClientMetadata, Description: msg}
}
