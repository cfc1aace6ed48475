package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/edge"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/web"
)

// Rule limits one route.
type Rule struct {
	// Pattern is the route as http.ServeMux spells it: "POST /oauth2/token".
	Pattern string
	// Endpoint names the budgets: it starts their keys ("token:client:ID",
	// "token:ip:ADDR") and is what OnLimited is told. Rules with the same
	// Endpoint share their budgets.
	Endpoint string
	// PerClient is each client ID's budget, PerIP each address's. A limit
	// with Rate 0 is off.
	PerClient, PerIP Limit
	// Page answers a refusal with a page for people rather than an RFC
	// 6749 error for programs.
	Page bool
}

// Pages renders the refusal page of rules with Page set.
type Pages interface {
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
}

// Message keys of the refusal page, in provider/web's catalogue.
const (
	pageTitleKey   = "ratelimit.title"
	pageMessageKey = "ratelimit.wait"
)

// ErrorCode is the error of a refused request on the protocol endpoints.
// RFC 6749 registers no code for it; the status (429) and Retry-After say
// what a client must do, and the code names the cause.
const ErrorCode = "rate_limited"

// Middleware returns a middleware that checks each request matching a rule
// against the rule's budgets before next sees it: the address's first,
// then the client's. Rules with both limits off are left out; with none
// left the middleware returns next as it is. It must run inside the
// provider's request-context middleware, which records the client IP.
// A Pattern http.ServeMux does not accept panics, as in ServeMux.Handle.
func (l *Limiter) Middleware(pages Pages, rules ...Rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		// The mux only matches a request to its rule: it never serves,
		// so the request reaches next untouched (the provider's own mux
		// and the metrics and tracing around it read r.Pattern).
		mux := http.NewServeMux()
		byPattern := map[string]Rule{}
		for _, rule := range rules {
			if rule.PerClient.Off() && rule.PerIP.Off() {
				continue
			}
			mux.Handle(rule.Pattern, http.NotFoundHandler())
			byPattern[rule.Pattern] = rule
		}
		if len(byPattern) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, pattern := mux.Handler(r); pattern != "" {
				if rule, ok := byPattern[pattern]; ok && !l.allow(w, r, rule, pages) {
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// allow checks r against rule's budgets, the address's first, and answers
// 429 and reports false when one is spent.
func (l *Limiter) allow(w http.ResponseWriter, r *http.Request, rule Rule, pages Pages) bool {
	ctx := r.Context()
	if !rule.PerIP.Off() {
		if res := l.Allow(ctx, rule.Endpoint+":ip:"+ipKey(clientIP(r)), rule.PerIP); !res.Allowed {
			l.refuse(w, r, rule, "ip", res.RetryAfter, pages)
			return false
		}
	}
	if !rule.PerClient.Off() {
		if id := clientID(r); id != "" {
			if res := l.Allow(ctx, rule.Endpoint+":client:"+clientKey(id), rule.PerClient); !res.Allowed {
				l.refuse(w, r, rule, "client", res.RetryAfter, pages)
				return false
			}
		}
	}
	return true
}

// refuse answers 429 with Retry-After (RFC 9110 section 10.2.3, RFC 6585
// section 4).
func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request, rule Rule, by string, wait time.Duration, pages Pages) {
	ctx := r.Context()
	secs := RetryAfterSeconds(wait)
	if l.onLimited != nil {
		l.onLimited(rule.Endpoint, by)
	}
	// Debug only: a flood would otherwise flood the log too. OnLimited
	// counts refusals.
	l.logger.DebugContext(ctx, "rate limited", "endpoint", rule.Endpoint, "by", by, "retry_after", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if !rule.Page {
		who := "client"
		if by == "ip" {
			who = "address"
		}
		edge.WriteError(w, http.StatusTooManyRequests, ErrorCode, fmt.Sprintf("Too many requests from this %s; retry after %d s.", who, secs))
		return
	}
	if pages != nil {
		err := pages.Message(w, r, http.StatusTooManyRequests, web.MessagePage{
			UILocales: r.URL.Query().Get("ui_locales"), Title: pageTitleKey, Message: pageMessageKey, MessageArg: strconv.Itoa(secs),
		})
		if err == nil {
			return
		}
		l.logger.ErrorContext(ctx, "render rate limit page", "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, fmt.Sprintf("Too many requests; retry after %d s.", secs), http.StatusTooManyRequests)
}

// RetryAfterSeconds is a wait as Retry-After says it: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// clientIP is the address the provider's middleware recorded, or the
// connection's.
func clientIP(r *http.Request) string {
	if ip := reqctx.ClientIP(r.Context()); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipKey is the budget key of an address: an IPv4 address as it is, an
// IPv6 address by its /64, the block one subscriber usually gets (so an
// attacker cannot get a fresh budget per address of its block).
func ipKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return clientKey(ip)
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

// maxKeyPart bounds the part of a key a caller chooses; longer or odd ones
// are hashed, so a key stays short whatever is sent.
const maxKeyPart = 64

// clientKey is the budget key part of a client ID.
func clientKey(id string) string {
	plain := len(id) <= maxKeyPart
	for i := 0; plain && i < len(id); i++ {
		plain = id[i] > ' ' && id[i] < 0x7f
	}
	if plain {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// clientID is the client a request names, as RFC 6749 section 2.3.1 sends
// it: the HTTP Basic user (form-urlencoded), else the form's client_id,
// else the subject of a client assertion (RFC 7523 section 3). It is not
// authenticated: the handler does that.
func clientID(r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil {
			return id
		}
		return user
	}
	form := edge.PeekValues(r)
	if id := form.Get("client_id"); id != "" {
		return id
	}
	if a := form.Get("client_assertion"); a != "" {
		return assertionSubject(a)
	}
	return ""
}

// assertionAlgs are the signature algorithms a client assertion is parsed
// with; its signature is not checked here.
func assertionAlgs() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
	}
}

// assertionSubject is the sub claim of a client assertion, read without
// checking its signature: it only picks the budget.
func assertionSubject(assertion string) string {
	tok, err := jwt.ParseSigned(assertion, assertionAlgs())
	if err != nil {
		return ""
	}
	var c jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil {
		return ""
	}
	return c.Subject
}
