package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// DefaultMaxBody bounds a registration request's body.
const DefaultMaxBody = 64 << 10

// Path is the registration endpoint's path: the registration_endpoint of
// the provider's metadata is the issuer followed by it.
const Path = "/oauth2/register"

// Store is what the endpoint reads and changes.
type Store interface {
	storage.Transactor
	storage.Clients
}

// InitialTokens counts a registration against an initial access token
// (Tokens.Use).
type InitialTokens interface {
	Use(ctx context.Context, token string) (storage.RegistrationToken, error)
}

// Config is what the endpoint is built from.
type Config struct {
	Store Store
	// Tokens checks and counts the initial access tokens.
	Tokens InitialTokens
	Policy Policy
	// Issuer is the provider's public URL, the base of each client's
	// registration_client_uri.
	Issuer string
	// ClientSecrets hashes the client secrets (the hasher every client
	// secret is checked with); APIKeys is how long they live.
	ClientSecrets secret.Hasher
	APIKeys       apikey.Policy
	// AccessTokens is the keyed hasher of Purpose, for the registration
	// access tokens.
	AccessTokens secret.Hasher
	Audit        *audit.Recorder
	// MaxBody bounds a request's body; DefaultMaxBody when 0.
	MaxBody int64
	Now     func() time.Time
	Logger  *slog.Logger
}

// Handler serves the registration endpoint and the registrations'
// management endpoints.
type Handler struct {
	cfg Config
}

// New returns the endpoint.
func New(c Config) *Handler {
	c.Now, c.Logger = defaults.Now(c.Now), defaults.Logger(c.Logger)
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	c.Issuer = strings.TrimSuffix(c.Issuer, "/")
	return &Handler{cfg: c}
}

// Mux is what Mount registers the routes on (provider.Mux).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Mount registers the routes.
func (h *Handler) Mount(mux Mux) {
	mux.HandleFunc("POST "+Path, h.register)
	mux.HandleFunc("GET "+Path+"/{client_id}", h.read)
	mux.HandleFunc("PUT "+Path+"/{client_id}", h.update)
	mux.HandleFunc("DELETE "+Path+"/{client_id}", h.delete)
}

// errRotated: the registration access token checked was rotated by a
// concurrent update before this one could write.
var errRotated = errors.New("registration: the registration access token was rotated meanwhile")

// register registers a client (RFC 7591 section 3): 201 with its
// metadata, its secret when it has one, and its registration access
// token, each shown this once.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	m, e := h.body(w, r)
	if e != nil {
		e.write(w)
		return
	}
	token, hasToken := bearer(r)
	if !h.cfg.Policy.Open && !hasToken {
		badToken("an initial access token is required to register a client").write(w)
		return
	}
	now := h.cfg.Now().UTC().Truncate(time.Second)
	c, e := h.cfg.Policy.build(m, "dcr-"+strings.ToLower(secret.Random(12)), nil, now)
	if e != nil {
		e.write(w)
		return
	}
	rat := AccessTokenPrefix + secret.Random(32)
	c.Registration.AccessTokenHash = h.cfg.AccessTokens.Hash(rat)
	var plain string
	err := h.cfg.Audit.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		if hasToken {
			t, err := h.cfg.Tokens.Use(ctx, token)
			if err != nil {
				return nil, err
			}
			c.Registration.InitialTokenID = t.ID
		}
		if err := h.cfg.Store.CreateClient(ctx, c); err != nil {
			return nil, err
		}
		events := []audit.Event{h.event(audit.AppRegistered, c, map[string]string{
			"type": string(c.Type), "initial_token": c.Registration.InitialTokenID})}
		var err error
		plain, c, events, err = h.giveSecret(ctx, c, events)
		return events, err
	})
	if h.failed(w, r, "register a client", err) {
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "client registered itself", "client_id", c.ID, "initial_token", c.Registration.InitialTokenID)
	web.JSON(w, http.StatusCreated, h.response(c, plain, rat))
}

// giveSecret gives a client that authenticates with a secret and has no
// live one a new secret (apikey.Rotate), recorded as secret.created, and
// returns it (empty when none was made) with the client as it is now.
func (h *Handler) giveSecret(ctx context.Context, c storage.Client, events []audit.Event) (string, storage.Client, []audit.Event, error) {
	now := h.cfg.Now()
	if slices.ContainsFunc(c.Secrets, func(s storage.ClientSecret) bool { return apikey.Live(s, now) }) {
		return "", c, events, nil
	}
	plain, rec, err := apikey.Rotate(ctx, h.cfg.Store, h.cfg.ClientSecrets, c.ID, h.cfg.APIKeys, now)
	switch {
	case errors.Is(err, apikey.ErrNoSecrets):
		return "", c, events, nil
	case err != nil:
		return "", c, nil, fmt.Errorf("create the client's secret: %w", err)
	}
	c.Secrets = append(c.Secrets, rec)
	return plain, c, append(events, audit.Actor{Type: audit.ActorClient, ID: c.ID}.On(apikey.Event(audit.SecretCreated, c.ID, rec))), nil
}

// read answers with the client's registration (RFC 7592 section 2.1).
func (h *Handler) read(w http.ResponseWriter, r *http.Request) {
	c, ok := h.authorized(w, r)
	if !ok {
		return
	}
	web.JSON(w, http.StatusOK, h.response(c, "", ""))
}

// update replaces the client's metadata with what the request states
// (RFC 7592 section 2.2), checked as a registration is; the scopes an
// administrator approved stay approved while the client asks for them,
// and what the client cannot set (its ID, whether it is disabled) stays.
// The registration access token is rotated: the answer carries the new
// one, and the old one stops working.
func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	old, ok := h.authorized(w, r)
	if !ok {
		return
	}
	m, e := h.body(w, r)
	if e != nil {
		e.write(w)
		return
	}
	if m.ClientID != old.ID {
		metadataError("client_id", "must be the client's ID, "+old.ID).write(w)
		return
	}
	if m.ClientSecret != "" && !slices.ContainsFunc(old.Secrets, func(s storage.ClientSecret) bool {
		return h.cfg.ClientSecrets.Compare(s.Hash, m.ClientSecret) == nil
	}) {
		metadataError("client_secret", "does not match the client's secret").write(w)
		return
	}
	now := h.cfg.Now().UTC().Truncate(time.Second)
	next, e := h.cfg.Policy.build(m, old.ID, old.Scopes, now)
	if e != nil {
		e.write(w)
		return
	}
	rat := AccessTokenPrefix + secret.Random(32)
	var plain string
	err := h.cfg.Audit.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		c, err := h.cfg.Store.UpdateClient(ctx, old.ID, func(cur storage.Client) (storage.Client, error) {
			if !bytes.Equal(cur.Registration.AccessTokenHash, old.Registration.AccessTokenHash) {
				return cur, errRotated
			}
			n := next
			n.CreatedAt, n.Disabled, n.WorkspaceID, n.OwnerID = cur.CreatedAt, cur.Disabled, cur.WorkspaceID, cur.OwnerID
			n.Registration.At, n.Registration.InitialTokenID = cur.Registration.At, cur.Registration.InitialTokenID
			n.Registration.AccessTokenHash = h.cfg.AccessTokens.Hash(rat)
			if n.Type == storage.ClientConfidential && n.TokenEndpointAuthMethod != "private_key_jwt" {
				n.Secrets = cur.Secrets
			}
			return n, nil
		})
		if err != nil {
			return nil, err
		}
		events := []audit.Event{h.event(audit.AppRegistrationUpdated, c, nil)}
		plain, c, events, err = h.giveSecret(ctx, c, events)
		next = c
		return events, err
	})
	if errors.Is(err, errRotated) {
		badToken("the registration access token was replaced by another update").write(w)
		return
	}
	if h.failed(w, r, "update a client's registration", err) {
		return
	}
	web.JSON(w, http.StatusOK, h.response(next, plain, rat))
}

// delete deletes the client with its tokens and grants (RFC 7592 section
// 2.3): 204.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	c, ok := h.authorized(w, r)
	if !ok {
		return
	}
	err := h.cfg.Audit.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		if err := h.cfg.Store.DeleteClient(ctx, c.ID); err != nil {
			return nil, err
		}
		return []audit.Event{h.event(audit.AppRegistrationDeleted, c, nil)}, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		badToken("the registration access token is not valid for this client").write(w)
		return
	}
	if h.failed(w, r, "delete a client's registration", err) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// event is the authorization record of a change of c's registration,
// made by c itself.
func (h *Handler) event(action string, c storage.Client, detail map[string]string) audit.Event {
	d := map[string]string{"name": c.Name}
	for k, v := range detail {
		d[k] = v
	}
	if len(c.RequestedScopes) > 0 {
		d["requested_scopes"] = strings.Join(c.RequestedScopes, " ")
	}
	return audit.Event{Action: action, ActorType: audit.ActorClient, ActorID: c.ID, ClientID: c.ID, Scopes: c.Scopes, Detail: d}
}

// authorized returns the client the request's registration access token
// is for: a 401 invalid_token for a missing or wrong token, or a client
// that does not exist or did not register itself (RFC 7592 section 3,
// which asks for no 404: nothing is told of another client).
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) (storage.Client, bool) {
	token, ok := bearer(r)
	if !ok {
		badToken("a registration access token is required").write(w)
		return storage.Client{}, false
	}
	c, err := h.cfg.Store.GetClient(r.Context(), r.PathValue("client_id"))
	switch {
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput):
	case err != nil:
		h.failed(w, r, "read a client's registration", err)
		return storage.Client{}, false
	case c.SelfRegistered() && h.cfg.AccessTokens.Compare(c.Registration.AccessTokenHash, token) == nil:
		return c, true
	}
	badToken("the registration access token is not valid for this client").write(w)
	return storage.Client{}, false
}

// body reads the request's metadata: JSON only, bounded.
func (h *Handler) body(w http.ResponseWriter, r *http.Request) (Metadata, *Error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return Metadata{}, metadataError("", "the request must be JSON, with Content-Type: application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return Metadata{}, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeInvalidClientMetadata,
			Description: fmt.Sprintf("the request body is larger than %d bytes", h.cfg.MaxBody)}
	case err != nil:
		return Metadata{}, metadataError("", "the request body could not be read")
	}
	return ParseMetadata(body)
}

// bearer returns the request's bearer token (RFC 6750 section 2.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// failed answers an error of a change and reports whether there was one:
// 401 for an initial access token that cannot be used, 400 for a value
// the store cannot hold, 503 when the store cannot be reached, and 500
// (logged) for anything else.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, what string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrBadToken):
		badToken("the initial access token is not valid (" + strings.TrimPrefix(err.Error(), ErrBadToken.Error()+": ") + ")").write(w)
	case errors.Is(err, storage.ErrInvalidInput):
		metadataError("", "the metadata holds text that cannot be stored").write(w)
	case errors.Is(err, storage.ErrUnavailable):
		w.Header().Set("Retry-After", "5")
		(&Error{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "try again shortly"}).write(w)
	default:
		h.cfg.Logger.ErrorContext(r.Context(), what, "err", err)
		(&Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "the registration could not be completed"}).write(w)
	}
	return true
}

// response is a client's registration as the endpoints answer it (RFC
// 7591 section 3.2.1): every metadata registered, and
// scope_pending_approval, the scopes asked that wait for an
// administrator's approval.
type response struct {
	ClientID                    string   `json:"client_id"`
	ClientSecret                string   `json:"client_secret,omitempty"`
	ClientIDIssuedAt            int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt       *int64   `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken     string   `json:"registration_access_token,omitempty"`
	RegistrationClientURI       string   `json:"registration_client_uri"`
	ClientName                  string   `json:"client_name"`
	RedirectURIs                []string `json:"redirect_uris"`
	PostLogoutRedirectURIs      []string `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes                  []string `json:"grant_types"`
	ResponseTypes               []string `json:"response_types"`
	TokenEndpointAuthMethod     string   `json:"token_endpoint_auth_method"`
	Scope                       string   `json:"scope"`
	ScopePendingApproval        string   `json:"scope_pending_approval,omitempty"`
	ClientURI                   string   `json:"client_uri,omitempty"`
	LogoURI                     string   `json:"logo_uri,omitempty"`
	PolicyURI                   string   `json:"policy_uri,omitempty"`
	TOSURI                      string   `json:"tos_uri,omitempty"`
	JWKSURI                     string   `json:"jwks_uri,omitempty"`
	Contacts                    []string `json:"contacts,omitempty"`
	SoftwareID                  string   `json:"software_id,omitempty"`
	SoftwareVersion             string   `json:"software_version,omitempty"`
	TokenEndpointAuthSigningAlg string   `json:"token_endpoint_auth_signing_alg,omitempty"`
	IDTokenSignedResponseAlg    string   `json:"id_token_signed_response_alg,omitempty"`
	DPoPBoundAccessTokens       bool     `json:"dpop_bound_access_tokens"`
	// The introspection answers' algorithms (RFC 9701 section 6), as
	// registered.
	IntrospectionSignedResponseAlg    string `json:"introspection_signed_response_alg,omitempty"`
	IntrospectionEncryptedResponseAlg string `json:"introspection_encrypted_response_alg,omitempty"`
	IntrospectionEncryptedResponseEnc string `json:"introspection_encrypted_response_enc,omitempty"`
}

// response returns c's registration, with its secret and registration
// access token when they were just made.
func (h *Handler) response(c storage.Client, secret, rat string) response {
	resp := response{
		ClientID: c.ID, ClientSecret: secret, ClientIDIssuedAt: c.Registration.At.Unix(),
		RegistrationAccessToken: rat, RegistrationClientURI: h.cfg.Issuer + Path + "/" + url.PathEscape(c.ID),
		ClientName: c.Name, RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: nonNil(c.GrantTypes), ResponseTypes: []string{}, TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		Scope: strings.Join(c.Scopes, " "), ScopePendingApproval: strings.Join(c.RequestedScopes, " "),
		ClientURI: c.Registration.ClientURI, LogoURI: c.LogoURI, PolicyURI: c.Registration.PolicyURI, TOSURI: c.Registration.TOSURI,
		JWKSURI: c.JWKSURI, Contacts: c.Registration.Contacts, SoftwareID: c.Registration.SoftwareID,
		SoftwareVersion: c.Registration.SoftwareVersion, TokenEndpointAuthSigningAlg: c.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg, DPoPBoundAccessTokens: c.DPoPBoundAccessTokens,
		IntrospectionSignedResponseAlg: c.IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg: c.IntrospectionEncryptedResponseAlg,
		IntrospectionEncryptedResponseEnc: c.IntrospectionEnc(),
	}
	if slices.Contains(c.GrantTypes, "authorization_code") {
		resp.ResponseTypes = []string{"code"}
	}
	if len(c.Secrets) > 0 {
		// 0 is "never" (RFC 7591 section 3.2.1).
		var exp int64
		if last := c.Secrets[len(c.Secrets)-1]; !last.ExpiresAt.IsZero() {
			exp = last.ExpiresAt.Unix()
		}
		resp.ClientSecretExpiresAt = &exp
	}
	return resp
}

// nonNil returns s, or an empty list for nil: a list member is never
// null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
