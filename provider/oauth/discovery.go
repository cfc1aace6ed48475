package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// discovery is the OpenID Provider Metadata (OpenID Connect Discovery 1.0
// section 3, RFC 8414). It lists only what the provider really supports.
type discovery struct {
	Issuer                                    string   `json:"issuer"`
	AuthorizationEndpoint                     string   `json:"authorization_endpoint"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	UserinfoEndpoint                          string   `json:"userinfo_endpoint"`
	JWKSURI                                   string   `json:"jwks_uri"`
	EndSessionEndpoint                        string   `json:"end_session_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	PushedAuthorizationRequestEndpoint        string   `json:"pushed_authorization_request_endpoint"`
	DeviceAuthorizationEndpoint               string   `json:"device_authorization_endpoint"`
	RegistrationEndpoint                      string   `json:"registration_endpoint,omitempty"` // RFC 7591; absent while registration is off
	ScopesSupported                           []string `json:"scopes_supported"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	ResponseModesSupported                    []string `json:"response_modes_supported"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	SubjectTypesSupported                     []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported          []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValues         []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported             []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                           []string `json:"claims_supported"`
	ACRValuesSupported                        []string `json:"acr_values_supported"`
	PromptValuesSupported                     []string `json:"prompt_values_supported"`
	UILocalesSupported                        []string `json:"ui_locales_supported"`
	AuthorizationResponseISSParameter         bool     `json:"authorization_response_iss_parameter_supported"`
	ClaimsParameterSupported                  bool     `json:"claims_parameter_supported"`
	RequestParameterSupported                 bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported              bool     `json:"request_uri_parameter_supported"`
	FrontchannelLogoutSupported               bool     `json:"frontchannel_logout_supported"`
	// Back-Channel Logout 1.0 section 2.1: logout tokens are sent to the
	// clients that register a backchannel_logout_uri, always with sid.
	BackchannelLogoutSupported        bool `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported bool `json:"backchannel_logout_session_supported"`
	// AuthorizationDetailsTypesSupported is RFC 9396 section 10.
	AuthorizationDetailsTypesSupported []string `json:"authorization_details_types_supported"`
	// RequirePushedAuthorizationRequests is false: pushing is required
	// per client (RFC 9126 section 6, storage.Client.RequirePAR).
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests"`
	// IntrospectionSigningAlgValuesSupported is RFC 9701 section 7: the
	// algorithm signed introspection answers are signed with.
	IntrospectionSigningAlgValuesSupported []string `json:"introspection_signing_alg_values_supported"`
	// IntrospectionEncryptionAlgValuesSupported and
	// IntrospectionEncryptionEncValuesSupported are RFC 9701 section 7:
	// how answers can be encrypted to a resource server's key.
	IntrospectionEncryptionAlgValuesSupported []string `json:"introspection_encryption_alg_values_supported"`
	IntrospectionEncryptionEncValuesSupported []string `json:"introspection_encryption_enc_values_supported"`
	// DPoPSigningAlgValuesSupported is RFC 9449 section 5.1; absent when
	// DPoP is off.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

func (p *Provider) metadata() discovery {
	iss := p.cfg.Issuer
	var dpopAlgs []string
	if p.cfg.DPoP != nil {
		dpopAlgs = p.cfg.DPoP.Algs()
	}
	return discovery{
		Issuer:                                    iss,
		AuthorizationEndpoint:                     iss + "/oauth2/auth",
		TokenEndpoint:                             iss + "/oauth2/token",
		UserinfoEndpoint:                          iss + "/userinfo",
		JWKSURI:                                   iss + "/.well-known/jwks.json",
		EndSessionEndpoint:                        iss + "/oauth2/logout",
		IntrospectionEndpoint:                     iss + "/oauth2/introspect",
		RevocationEndpoint:                        iss + "/oauth2/revoke",
		PushedAuthorizationRequestEndpoint:        iss + "/oauth2/par",
		DeviceAuthorizationEndpoint:               iss + "/oauth2/device/auth",
		RegistrationEndpoint:                      p.cfg.RegistrationEndpoint,
		ScopesSupported:                           p.cfg.Scopes,
		ResponseTypesSupported:                    []string{"code"},
		ResponseModesSupported:                    []string{"query", "form_post"},
		GrantTypesSupported:                       supportedGrantTypes(false),
		SubjectTypesSupported:                     []string{"public"},
		IDTokenSigningAlgValuesSupported:          keys.Algorithms(),
		TokenEndpointAuthMethodsSupported:         []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		TokenEndpointAuthSigningAlgValues:         p.assertionAlgs(),
		IntrospectionEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		RevocationEndpointAuthMethodsSupported:    []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		CodeChallengeMethodsSupported:             []string{"S256"},
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash", "sid", ClaimOrgID, ClaimOrgHandle,
			"name", "email", "email_verified"},
		ACRValuesSupported:                        session.ACRLevels,
		PromptValuesSupported:                     []string{"none", "login", "consent"},
		UILocalesSupported:                        []string{"en", "zh-CN"},
		AuthorizationResponseISSParameter:         true,
		BackchannelLogoutSupported:                true,
		BackchannelLogoutSessionSupported:         true,
		AuthorizationDetailsTypesSupported:        authzdetails.Types(),
		DPoPSigningAlgValuesSupported:             dpopAlgs,
		IntrospectionSigningAlgValuesSupported:    storage.IDTokenAlgs(),
		IntrospectionEncryptionAlgValuesSupported: storage.IntrospectionEncryptionAlgs(),
		IntrospectionEncryptionEncValuesSupported: storage.IntrospectionEncryptionEncs(),
	}
}

// encodeMetadata encodes the metadata once for each of the two grant
// lists it may show: without token exchange (metadataJSON) and with it
// (exchangeMetadataJSON), for while some client has a policy.
func (p *Provider) encodeMetadata() error {
	m := p.metadata()
	for _, doc := range []struct {
		exchange bool
		into     *[]byte
	}{{false, &p.metadataJSON}, {true, &p.exchangeMetadataJSON}} {
		m.GrantTypesSupported = supportedGrantTypes(doc.exchange)
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("oauth: encode the discovery document: %w", err)
		}
		*doc.into = append(b, '\n')
	}
	return nil
}

// discovery serves the metadata, encoded once (encodeMetadata): only
// whether token exchange is offered changes while the provider runs.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	body := p.metadataJSON
	if p.offersExchange(r.Context()) {
		body = p.exchangeMetadataJSON
	}
	_, _ = w.Write(body)
}

// jwks publishes the signing keys relying parties verify ID tokens with:
// the current key of each algorithm and rotated keys still within their
// publication period.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	body, err := p.cfg.Keys.Document(r.Context())
	if err != nil {
		p.logger.ErrorContext(r.Context(), "load signing keys", "err", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "The signing keys could not be loaded; try again shortly.")
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	// Short enough that a rotation reaches relying parties quickly.
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(body)
}

// assertionAlgs are the algorithms private_key_jwt clients may sign with.
func (p *Provider) assertionAlgs() []string {
	if len(p.cfg.AssertionAlgs) == 0 {
		return []string{"RS256"}
	}
	return p.cfg.AssertionAlgs
}
