package rs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MetadataWellKnown is the well-known URI suffix of protected resource
// metadata (RFC 9728 section 3).
const MetadataWellKnown = "/.well-known/oauth-protected-resource"

// MetadataMaxAge is how long a client may reuse the metadata document
// (its Cache-Control max-age).
const MetadataMaxAge = time.Hour

// metadata is the protected resource metadata document (RFC 9728 section
// 2) a Verifier serves.
type metadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
	ResourceDocumentation  string   `json:"resource_documentation,omitempty"`
	// DPoPSigningAlgValuesSupported are the algorithms the Verifier
	// takes DPoP proofs in (RFC 9728 section 2).
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported"`
	// DPoPBoundAccessTokensRequired is DPoP.Required: bearer tokens are
	// refused.
	DPoPBoundAccessTokensRequired bool `json:"dpop_bound_access_tokens_required"`
}

// checkResource checks the fields of c describing the protected resource
// (RFC 9728 section 2); it says nothing when Resource is unset, nor when
// it is valid.
func (c Config) checkResource() []error {
	if c.Resource == "" {
		if c.ScopesSupported != nil || c.ResourceName != "" || c.ResourceDocumentation != "" || c.BearerMethodsSupported != nil {
			return []error{errors.New("resource: required when scopes supported, resource name, resource documentation or bearer methods supported are set")}
		}
		return nil
	}
	var errs []error
	if _, err := metadataLocation(c.Resource); err != nil {
		errs = append(errs, err)
	}
	for _, s := range c.ScopesSupported {
		if s == "" || unquotable(s) {
			errs = append(errs, fmt.Errorf("scopes supported: %q is not a scope (printable ASCII without spaces, quotes or backslashes)", s))
		}
	}
	if d := c.ResourceDocumentation; d != "" {
		if u, err := url.Parse(d); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("resource documentation: not an http(s) URL: %q", d))
		}
	}
	for _, m := range c.BearerMethodsSupported {
		switch m {
		case "header", "body", "query":
			// The ways of sending a bearer token RFC 6750 defines, as
			// bearer_methods_supported names them (RFC 9728 section 2).
		default:
			errs = append(errs, fmt.Errorf("bearer methods supported: %q is none of header, body, query", m))
		}
	}
	return errs
}

// metadataLocation checks resource, a resource identifier, and returns
// the URL of its metadata: the well-known suffix goes between the host and
// the path (RFC 9728 section 3.1), the path's terminating slash after the
// host dropped. The identifier must be an https URL (http only on a
// loopback host, for development) without query, fragment or user info,
// written in printable ASCII without spaces, '"' or '\' (percent-encode
// anything else): it is quoted in WWW-Authenticate as it is.
func metadataLocation(resource string) (*url.URL, error) {
	if unquotable(resource) {
		return nil, fmt.Errorf("resource: %q has a character that is not printable ASCII, a space, a quote or a backslash; percent-encode it", resource)
	}
	u, err := url.Parse(resource)
	switch {
	case err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("resource: not an absolute URL with a host: %q", resource)
	case u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())):
		return nil, fmt.Errorf("resource: %q must use https (http only on a loopback host)", resource)
	case u.Fragment != "" || strings.Contains(resource, "#"):
		return nil, fmt.Errorf("resource: %q has a fragment, which a resource identifier must not have (RFC 9728 section 1.2)", resource)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("resource: %q has a query; identify the resource by its path alone (RFC 8707 section 2)", resource)
	case u.User != nil:
		return nil, fmt.Errorf("resource: %q has user info", resource)
	}
	loc := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: MetadataWellKnown, RawPath: MetadataWellKnown}
	if u.Path != "/" {
		loc.Path += u.Path
		loc.RawPath += u.EscapedPath()
	}
	return loc, nil
}

// loopback says whether host names the local machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// MetadataPath returns the path the protected resource metadata is served
// at (RFC 9728 section 3.1), percent-encoded as in Config.Resource:
// "/.well-known/oauth-protected-resource" for a resource identifier
// without a path, followed by the path otherwise (for
// "https://im.example.com/api", "/.well-known/oauth-protected-resource/api").
// It is "" when Config.Resource is unset.
func (v *Verifier) MetadataPath() string {
	if v.metadataURL == nil {
		return ""
	}
	return v.metadataURL.EscapedPath()
}

// MetadataURL returns the URL of the protected resource metadata, which
// every challenge of the Verifier names as resource_metadata; "" when
// Config.Resource is unset.
func (v *Verifier) MetadataURL() string {
	if v.metadataURL == nil {
		return ""
	}
	return v.metadataURL.String()
}

// MetadataHandler serves the protected resource metadata of
// Config.Resource (RFC 9728 section 3.2): a JSON document naming the
// resource, the provider (Config.Issuer) as its authorization server, the
// scopes it understands (Config.ScopesSupported), how tokens are sent
// (Config.BearerMethodsSupported, default "header"), its name and
// documentation, and that DPoP-bound tokens are not required. It answers
// GET and HEAD, cacheable for MetadataMaxAge, and 405 to anything else.
//
// Mount it outside Middleware, as the document is public, at
// MetadataPath() (with "{$}" appended to the pattern when the path ends in
// a slash, so that http.ServeMux matches that path only):
//
//	mux.Handle(v.MetadataPath(), v.MetadataHandler())
//	mux.Handle("/", v.Middleware(api))
//
// MetadataHandler panics when Config.Resource is unset, as a mux panics
// on a malformed pattern, since that is a fault of the program.
func (v *Verifier) MetadataHandler() http.Handler {
	if v.metadataURL == nil {
		panic("rs: MetadataHandler: Config.Resource is unset")
	}
	doc := metadata{
		Resource:               v.cfg.Resource,
		AuthorizationServers:   []string{v.cfg.Issuer},
		ScopesSupported:        v.cfg.ScopesSupported,
		BearerMethodsSupported: v.cfg.BearerMethodsSupported,
		ResourceName:           v.cfg.ResourceName,
		ResourceDocumentation:  v.cfg.ResourceDocumentation,

		DPoPSigningAlgValuesSupported: v.proofs.Algs(),
		DPoPBoundAccessTokensRequired: v.cfg.DPoP.Required,
	}
	body, err := json.Marshal(doc)
	if err != nil {
		// Strings and slices of strings always marshal.
		panic(fmt.Sprintf("rs: MetadataHandler: %v", err))
	}
	body = append(body, '\n')
	cacheControl := "public, max-age=" + strconv.Itoa(int(MetadataMaxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A public document: an agent running in a browser page of any
		// origin may read it (nothing is sent with credentials).
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			// A CORS preflight.
			w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD")
			w.Header().Set("Access-Control-Max-Age", strconv.Itoa(int(MetadataMaxAge/time.Second)))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{
				Error:       "invalid_request",
				Description: "The protected resource metadata is read with GET or HEAD.",
			})
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", cacheControl)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}
