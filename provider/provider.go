package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/edge"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
)

// Mounter is a provider package that registers its routes.
type Mounter interface {
	Mount(mux Mux)
}

// Mux is what a Mounter registers its routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). Each package that mounts
// routes declares the same alias, so that its Mount is a Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Pinger reports whether a dependency can serve requests.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the handler is built from.
type Deps struct {
	// Parts are the provider packages whose routes are mounted.
	Parts []Mounter
	// Ready is checked by /health/ready.
	Ready Pinger
	// Signing, when set, is checked by /health/ready after Ready: a node
	// whose signing key cannot be used is not ready.
	Signing Pinger
	// Degraded, when set, is checked by /health/ready too: a failure
	// leaves the provider serving, slower (the Redis cache is down), so it
	// answers 200 with status "degraded" and the reason.
	Degraded interface {
		Degraded(ctx context.Context) error
	}
	// Instrument wraps the routes for metrics and tracing, the first
	// wrapper outermost. Each sees a request once its route is known: the
	// mux sets r.Pattern on the request a wrapper passed it, so a wrapper
	// reads the matched pattern there after calling next.
	Instrument []func(http.Handler) http.Handler
	// Limits, when set, wraps the routes (rate limits): it sees a request
	// after its ID and client IP are recorded, before any handler.
	Limits func(http.Handler) http.Handler
	// Pages renders the error page of a request refused before its
	// handler (bytes that are not text, provider/edge) and of an address
	// no route serves; nil answers those in plain text.
	Pages edge.Pages
	// Sessions tells "/" whether the browser is signed in: it sends a
	// signed-in browser to its account page, any other to sign in. Nil
	// sends every browser to the account page, which asks for a sign-in
	// itself.
	Sessions Sessions
	// Issuer is the provider's public base URL: HSTS is sent only when
	// it is https.
	Issuer string
	// HSTS, when set, is the Strict-Transport-Security policy of an https
	// issuer.
	HSTS   *HSTS
	Logger *slog.Logger
}

// Sessions tells who is signed in to a browser (provider/session).
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
}

// HSTS is a Strict-Transport-Security policy (RFC 6797 section 6.1).
type HSTS struct {
	// MaxAge is how long a browser keeps to https for this host, in
	// whole seconds; zero tells it to forget the policy.
	MaxAge time.Duration
	// IncludeSubdomains extends the policy to every subdomain.
	IncludeSubdomains bool
	// Preload asks to be built into browsers (hstspreload.org).
	Preload bool
}

// header is the policy as Strict-Transport-Security spells it.
func (p HSTS) header() string {
	v := "max-age=" + strconv.FormatInt(int64(p.MaxAge/time.Second), 10)
	if p.IncludeSubdomains {
		v += "; includeSubDomains"
	}
	if p.Preload {
		v += "; preload"
	}
	return v
}

// New returns the provider's HTTP handler.
func New(d Deps) http.Handler {
	d.Logger = defaults.Logger(d.Logger)
	mux := http.NewServeMux()
	for _, p := range d.Parts {
		p.Mount(mux)
	}
	mux.HandleFunc("GET /{$}", home(d.Sessions, d.Logger))
	mux.Handle("/", unrouted(mux, edge.NotFound(d.Pages)))
	mux.HandleFunc("GET /health/alive", func(w http.ResponseWriter, r *http.Request) {
		writeHealth(w, http.StatusOK, HealthOK, "")
	})
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Ready.Ping(ctx); err != nil {
			d.Logger.WarnContext(r.Context(), "not ready", "err", err)
			writeHealth(w, http.StatusServiceUnavailable, HealthUnavailable, "the store does not answer")
			return
		}
		if d.Signing != nil {
			if err := d.Signing.Ping(ctx); err != nil {
				d.Logger.ErrorContext(r.Context(), "not ready: cannot sign", "err", err)
				writeHealth(w, http.StatusServiceUnavailable, HealthUnavailable, "the signing key cannot be used")
				return
			}
		}
		if d.Degraded != nil {
			if err := d.Degraded.Degraded(ctx); err != nil {
				writeHealth(w, http.StatusOK, HealthDegraded, err.Error())
				return
			}
		}
		writeHealth(w, http.StatusOK, HealthOK, "")
	})
	// The wrappers go right around the mux, inside withRequestContext:
	// that passes a copy of the request on, whose pattern an outer
	// wrapper would never see. The edge checks go inside them, so that
	// metrics and traces count the requests they refuse; the rate limits
	// go outside, so that a flood of refused requests spends its budget.
	h := edge.Middleware(d.Pages, d.Logger)(mux)
	for i := len(d.Instrument) - 1; i >= 0; i-- {
		h = d.Instrument[i](h)
	}
	if d.Limits != nil {
		h = d.Limits(h)
	}
	hsts := ""
	if d.HSTS != nil && strings.HasPrefix(d.Issuer, "https://") {
		hsts = d.HSTS.header()
	}
	return withRequestContext(d.Logger, withSecurityHeaders(hsts, h))
}

// Health is the body of /health/alive and /health/ready.
type Health struct {
	// Status is HealthOK, HealthDegraded or HealthUnavailable.
	Status string `json:"status"`
	// Reason says why the status is not ok.
	Reason string `json:"reason,omitempty"`
}

// The statuses of Health. /health/ready answers 200 with ok or degraded
// (serving, slower: the Redis cache is down), 503 with unavailable.
const (
	HealthOK          = "ok"
	HealthDegraded    = "degraded"
	HealthUnavailable = "unavailable"
)

// Ready reports whether h says the provider serves requests: ok or
// degraded.
func (h Health) Ready() bool {
	return h.Status == HealthOK || h.Status == HealthDegraded
}

// home answers "/", which has no page of its own: a signed-in browser
// goes to its account page, any other to sign in (and from there to the
// account page).
func home(sessions Sessions, logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		to := "/account"
		if sessions != nil {
			_, signedIn, err := sessions.Current(r.Context(), r)
			if err != nil {
				logger.WarnContext(r.Context(), "home: read the session", "err", err)
			}
			if !signedIn {
				to = "/login"
			}
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

// unrouted is the mux's fallback route, "/". Being the most general
// pattern, it gets every request no other route matches, including one
// whose path a route serves with another method, which the mux would
// otherwise answer 405 itself: so it answers that one 405 as the mux
// does, with the methods the path takes in Allow, and every other with
// notFound. It is no route of the provider's: it clears the request's
// pattern, so that metrics and traces count its requests as unmatched.
func unrouted(mux *http.ServeMux, notFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = ""
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		notFound.ServeHTTP(w, r)
	})
}

func writeHealth(w http.ResponseWriter, status int, state, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Health{Status: state, Reason: reason})
}

// withSecurityHeaders sets the headers RFC 9700 section 4.16 and OWASP ASVS
// ask of every response: no framing, no referrer leaking codes or state,
// no MIME sniffing, and hsts (Strict-Transport-Security) unless it is
// empty. Pages set their own Content-Security-Policy on top.
func withSecurityHeaders(hsts string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if hsts != "" {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// withRequestContext gives each request an ID (echoed in X-Request-Id),
// records the client IP, and turns a panic into a logged 500.
func withRequestContext(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		ctx := reqctx.With(r.Context(), id, ip, r.UserAgent())
		w.Header().Set("X-Request-Id", id)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.ErrorContext(ctx, "handler panicked", "panic", v, "method", r.Method, "path", r.URL.Path)
				http.Error(w, "internal error (request "+id+")", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r.WithContext(ctx))
		// Let the other connections' goroutines run before this one
		// reads its next request. Under load a keep-alive connection's
		// next request is often already buffered: without the yield its
		// goroutine serves it at once, and again, while requests on other
		// connections wait until the scheduler preempts it (10 ms). Taking
		// turns costs some peak throughput and cuts the slowest answers
		// several times over (docs/performance.md, "Tail latency").
		runtime.Gosched()
	})
}
