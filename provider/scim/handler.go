package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/storage"
)

// Mux is what Mount registers its route on (provider.Mux).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Throttle counts failed authentications per key (provider/throttle).
type Throttle interface {
	Wait(ctx context.Context, key string) (time.Duration, error)
	Fail(ctx context.Context, key string) (time.Duration, error)
}

// DefaultMaxBody bounds a request's body: the largest a provisioning
// client sends is a group with its members.
const DefaultMaxBody = 1 << 20

// maxResults is the most resources one list response holds.
const maxResults = 100

// Config holds the endpoints' dependencies.
type Config struct {
	Members Members
	Groups  Groups
	Tokens  Authenticator
	// Throttle slows down a client IP after failed authentications.
	Throttle Throttle
	// BaseURL is the endpoints' public address, the issuer followed by
	// /scim/v2: resources' locations start with it.
	BaseURL string
	// MaxBody bounds a request's body; DefaultMaxBody when 0.
	MaxBody int64
	Logger  *slog.Logger
}

// Handler serves /scim/v2.
type Handler struct {
	cfg    Config
	server http.Handler
}

// New returns the handler.
func New(cfg Config) (*Handler, error) {
	cfg.Logger = defaults.Logger(cfg.Logger)
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	h := &Handler{cfg: cfg}
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://github.com/tokenim/tokenim-auth#scim-provisioning"),
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type: scim.AuthenticationTypeOauthBearerToken, Name: "Bearer token", Primary: true,
				Description: "A SCIM token of the workspace, made with tokenim-auth scim-tokens create.",
			}},
			MaxResults:       maxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
				Description: optional.NewString("A member of the workspace"),
				Schema:      schema.CoreUserSchema(),
				// Entra ID sends the enterprise extension's attributes;
				// they are accepted and not kept.
				SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}},
				Handler:          users{h},
			},
			{
				ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
				Description: optional.NewString("A group of the workspace's members"),
				Schema:      schema.CoreGroupSchema(),
				Handler:     groups{h},
			},
		},
	}, scim.WithBaseURL(cfg.BaseURL), scim.WithLogger(libraryLog{cfg.Logger}))
	if err != nil {
		return nil, err
	}
	h.server = http.StripPrefix("/scim", server)
	return h, nil
}

// Mount registers the routes.
func (h *Handler) Mount(mux Mux) {
	mux.Handle("/scim/v2/", h)
}

type tokenKey struct{}

// tokenOf returns the token that authenticated r.
func tokenOf(r *http.Request) storage.SCIMToken {
	t, _ := r.Context().Value(tokenKey{}).(storage.SCIMToken)
	return t
}

// actorOf is who r acts as: its token.
func actorOf(r *http.Request) Actor { return Actor{Type: audit.ActorSCIM, ID: tokenOf(r).ID} }

// ServeHTTP authenticates the request's token, bounds its body and hands
// it to the SCIM server with the token in its context.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "scim:" + throttle.IPKey(reqctx.ClientIP(ctx))
	if h.cfg.Throttle != nil {
		wait, err := h.cfg.Throttle.Wait(ctx, key)
		if err != nil {
			h.fail(w, r, "throttle", err)
			return
		}
		if wait > 0 {
			w.Header().Set("Retry-After", throttle.Seconds(wait))
			writeError(w, scimerrors.ScimError{Status: http.StatusTooManyRequests, Detail: "Too many failed authentications: try again later."})
			return
		}
	}
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		writeError(w, scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "A SCIM token of the workspace is required (Authorization: Bearer)."})
		return
	}
	tok, err := h.cfg.Tokens.Authenticate(ctx, token)
	if errors.Is(err, ErrBadToken) {
		h.cfg.Logger.InfoContext(ctx, "scim: token refused", "err", err)
		if h.cfg.Throttle != nil {
			if _, err := h.cfg.Throttle.Fail(ctx, key); err != nil {
				h.cfg.Logger.WarnContext(ctx, "scim: count a failed authentication", "err", err)
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim", error="invalid_token"`)
		writeError(w, scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "The token is not a valid SCIM token."})
		return
	}
	if err != nil {
		h.fail(w, r, "authenticate", err)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, scimerrors.ScimError{Status: http.StatusRequestEntityTooLarge,
				Detail: "The request body is larger than " + strconv.FormatInt(h.cfg.MaxBody, 10) + " bytes."})
			return
		}
		if err != nil {
			writeError(w, scimerrors.ScimErrorInvalidSyntax)
			return
		}
		if r.Method == http.MethodPatch {
			body = activeAsBoolean(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	h.server.ServeHTTP(w, r.WithContext(context.WithValue(ctx, tokenKey{}, tok)))
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// fail answers a fault of ours: 503 when the store is unavailable, 500
// otherwise, with the details in the log only.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.cfg.Logger.ErrorContext(r.Context(), "scim: "+what, "err", err)
	if errors.Is(err, storage.ErrUnavailable) {
		w.Header().Set("Retry-After", "5")
		writeError(w, scimerrors.ScimError{Status: http.StatusServiceUnavailable, Detail: "The service is briefly unavailable; try again."})
		return
	}
	writeError(w, scimerrors.ScimErrorInternal)
}

// writeError writes a SCIM error (RFC 7644 section 3.12).
func writeError(w http.ResponseWriter, e scimerrors.ScimError) {
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// asSCIM turns an error of Members or Groups into the SCIM error the
// server writes; one of ours is logged and stays a 500.
func (h *Handler) asSCIM(r *http.Request, id string, err error) error {
	var scimErr scimerrors.ScimError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &scimErr):
		return err
	case errors.Is(err, storage.ErrNotFound):
		return scimerrors.ScimErrorResourceNotFound(id)
	case errors.Is(err, storage.ErrAlreadyExists):
		return scimerrors.ScimErrorUniqueness
	case errors.Is(err, ErrLastOwner):
		return scimerrors.ScimError{Status: http.StatusConflict, ScimType: scimerrors.ScimTypeMutability,
			Detail: "This member is the workspace's last active owner: give another member the owner role first."}
	case errors.Is(err, ErrEmailFixed):
		return scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeMutability, Detail: ErrEmailFixed.Error() + "."}
	case errors.Is(err, ErrNotMember):
		return scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeInvalidValue, Detail: err.Error() + "."}
	case errors.Is(err, storage.ErrInvalidInput):
		return scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeInvalidValue, Detail: "A value holds bytes that are not text."}
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "scim: "+r.Method+" "+r.URL.Path, "err", err)
		return scimerrors.ScimError{Status: http.StatusInternalServerError}
	}
}

// badValue is a 400 invalidValue saying what is wrong.
func badValue(detail string) error {
	return scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeInvalidValue, Detail: detail}
}

// activeAsBoolean rewrites the "active" values of a PATCH body that are
// the strings "True" or "False", in any letter case, as booleans: Entra
// ID sends them so (its documented SCIM 2.0 compliance issue) where RFC
// 7643 has a boolean. Anything else, and a body that is not JSON, is left
// for the server to judge.
func activeAsBoolean(body []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var req map[string]any
	if d.Decode(&req) != nil {
		return body
	}
	changed := false
	for k, ops := range req {
		list, ok := ops.([]any)
		if !strings.EqualFold(k, "Operations") || !ok {
			continue
		}
		for _, op := range list {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			path, _ := field(o, "path").(string)
			for vk, v := range o {
				if !strings.EqualFold(vk, "value") {
					continue
				}
				if strings.EqualFold(strings.TrimSpace(path), "active") {
					if b, ok := boolString(v); ok {
						o[vk], changed = b, true
					}
				}
				if m, ok := v.(map[string]any); ok && path == "" {
					for ak, av := range m {
						if b, ok := boolString(av); ok && strings.EqualFold(ak, "active") {
							m[ak], changed = b, true
						}
					}
				}
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(req)
	if err != nil {
		return body
	}
	return out
}

// field returns o's member named name in any letter case.
func field(o map[string]any, name string) any {
	for k, v := range o {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// boolString reads "true" or "false", in any letter case.
func boolString(v any) (bool, bool) {
	s, ok := v.(string)
	switch {
	case !ok:
		return false, false
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// libraryLog passes the SCIM server's error lines (a response it could
// not write) to the logger.
type libraryLog struct{ l *slog.Logger }

func (g libraryLog) Error(args ...any) {
	msg := ""
	if len(args) > 0 {
		msg, _ = args[0].(string)
		args = args[1:]
	}
	g.l.Error("scim: "+msg, args...)
}
