package rs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tokenim/tokenim-auth/dpop"
)

// DefaultReplayCacheSize is how many DPoP proofs the in-memory replay
// cache of a Verifier remembers when DPoP.Replays is unset.
const DefaultReplayCacheSize = 100_000

// DPoP configures how a Verifier checks DPoP-bound tokens (RFC 9449). A
// token the provider bound to a key (cnf.jkt, Token.JKT) is accepted only
// as "Authorization: DPoP <token>" with a DPoP header holding a fresh
// proof of that key for this request (its method, URL and the token's
// hash); the zero value does that, with proofs remembered in memory.
type DPoP struct {
	// Required refuses bearer tokens: every request must present a
	// DPoP-bound token with its proof (RFC 9728's
	// dpop_bound_access_tokens_required).
	Required bool
	// Replays remembers the proofs accepted, so that none is accepted
	// twice. A service running several instances shares one (a Redis SET
	// NX with an expiry, say), so that a proof one instance accepted is
	// refused by the others; unset, each Verifier remembers the last
	// ReplayCacheSize proofs in memory.
	Replays dpop.Replays
	// ReplayCacheSize bounds the in-memory replay cache (default
	// DefaultReplayCacheSize); unused with Replays.
	ReplayCacheSize int
	// Nonces, when set, makes every proof carry a server nonce (RFC 9449
	// section 9): a request without the current one is answered 401
	// use_dpop_nonce with the nonce in DPoP-Nonce. dpop.NewNonces with a
	// key every instance shares.
	Nonces dpop.Nonces
	// Algs are the accepted proof algorithms (default dpop.DefaultAlgs);
	// asymmetric only.
	Algs []string
	// Window is how old a proof may be (default dpop.DefaultWindow).
	Window time.Duration
	// URL is the URL a client addressed the request at, which a proof's
	// htu must name (the query is ignored). Unset, it is Config.Resource's
	// scheme and host followed by the request's path or, without a
	// Resource, the request's own scheme (TLS or not) and Host header:
	// behind a proxy that changes either, set Resource or URL.
	URL func(r *http.Request) string
}

// newProofs builds the DPoP proof checker of c.
func newProofs(c Config) (*dpop.Verifier, error) {
	algs := make([]jose.SignatureAlgorithm, len(c.DPoP.Algs))
	for i, a := range c.DPoP.Algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	replays := c.DPoP.Replays
	if replays == nil {
		size := c.DPoP.ReplayCacheSize
		if size <= 0 {
			size = DefaultReplayCacheSize
		}
		cache, err := lru.New[string, time.Time](size)
		if err != nil {
			return nil, err
		}
		replays = &memoryReplays{seen: cache, now: c.Now}
	}
	v, err := dpop.New(dpop.Config{Algs: algs, Window: c.DPoP.Window, Replays: replays, Nonces: c.DPoP.Nonces, Now: c.Now})
	if err != nil {
		return nil, fmt.Errorf("dpop: %w", err)
	}
	return v, nil
}

// memoryReplays remembers the latest accepted proofs of one Verifier. A
// proof is recorded only after its signature, its key and its ath (the
// token's hash) have checked out, so filling the cache takes a valid bound
// token and its key.
type memoryReplays struct {
	mu   sync.Mutex
	seen *lru.Cache[string, time.Time]
	now  func() time.Time
}

func (m *memoryReplays) Use(_ context.Context, key string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen.Get(key); ok && m.now().Before(exp) {
		return false, nil
	}
	m.seen.Add(key, until)
	return true, nil
}

// credential is what an Authorization header presents: a token, and
// whether it came with the DPoP scheme.
type credential struct {
	token string
	dpop  bool
}

// readCredential reads a Bearer (RFC 6750 section 2.1) or DPoP (RFC 9449
// section 7.1) credential from an Authorization header value. ok is false
// when there is none (no header, or another scheme); malformed explains a
// credential that breaks the token68 / b64token syntax.
func readCredential(header string) (c credential, ok bool, malformed string) {
	scheme, rest, _ := strings.Cut(header, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
	case strings.EqualFold(scheme, "DPoP"):
		c.dpop = true
	default:
		return credential{}, false, ""
	}
	c.token = strings.TrimLeft(rest, " ")
	switch {
	case c.token == "":
		return credential{}, false, "The Authorization header names the " + scheme + " scheme but carries no token."
	case !isB64Token(c.token) && c.dpop:
		return credential{}, false, "The DPoP-bound access token is malformed: it must be a single token68 (RFC 9449 section 7.1)."
	case !isB64Token(c.token):
		return credential{}, false, "The bearer token is malformed: it must be a single b64token (RFC 6750 section 2.1)."
	}
	return c, true, ""
}

// refusal is a DPoP check's answer to the client.
type refusal struct {
	status int
	body   errorBody
	// nonce is sent in DPoP-Nonce (use_dpop_nonce).
	nonce string
}

// checkBinding checks that tok was presented as its binding asks (RFC
// 9449 section 7): a bound token with the DPoP scheme and a proof of its
// key for this request, an unbound one as a bearer token (and only when
// bearer tokens are taken). A nil refusal lets the request through.
func (v *Verifier) checkBinding(ctx context.Context, r *http.Request, c credential, tok Token) *refusal {
	deny := func(code, description string) *refusal {
		return &refusal{status: http.StatusUnauthorized, body: errorBody{Error: code, Description: description}}
	}
	switch {
	case tok.JKT == "" && c.dpop:
		return deny("invalid_token", "The access token is not bound to a DPoP key: send it as Authorization: Bearer.")
	case tok.JKT == "" && v.cfg.DPoP.Required:
		return deny("invalid_token", "This service takes DPoP-bound access tokens only: get a token with a DPoP proof and send it as Authorization: DPoP.")
	case tok.JKT == "":
		return nil
	case !c.dpop:
		return deny("invalid_token", "The access token is bound to a DPoP key: send it as Authorization: DPoP, with a DPoP proof made with that key.")
	}
	raw, err := dpop.ProofFrom(r.Header)
	if err == nil && raw == "" {
		return deny("invalid_dpop_proof", "A DPoP proof is required with this access token: send one in the DPoP header.")
	}
	var proof dpop.Proof
	if err == nil {
		proof, err = v.proofs.Verify(ctx, raw, r.Method, v.requestURL(r), c.token)
	}
	switch {
	case errors.Is(err, dpop.ErrUseNonce):
		rf := deny("use_dpop_nonce", "This service requires a nonce in the DPoP proof: make a new proof with the nonce of the DPoP-Nonce header.")
		rf.nonce = v.proofs.Nonce()
		return rf
	case errors.Is(err, dpop.ErrInvalidProof):
		return deny("invalid_dpop_proof", dpop.Refusal(err))
	case err != nil:
		// The replay store failed, or the request URL is not one: neither
		// is the client's doing.
		v.cfg.Logger.ErrorContext(ctx, "rs: check a DPoP proof", "err", err)
		return &refusal{status: http.StatusServiceUnavailable, body: errorBody{
			Error: "temporarily_unavailable", Description: "The DPoP proof could not be checked; try again shortly.",
		}}
	case proof.JKT != tok.JKT:
		return deny("invalid_dpop_proof", "The DPoP proof was made with another key than the one the access token is bound to.")
	}
	return nil
}

// requestURL is the URL the client addressed r at (DPoP.URL).
func (v *Verifier) requestURL(r *http.Request) string {
	if v.cfg.DPoP.URL != nil {
		return v.cfg.DPoP.URL(r)
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if v.metadataURL != nil {
		u.Scheme, u.Host = v.metadataURL.Scheme, v.metadataURL.Host
	}
	return u.String()
}
