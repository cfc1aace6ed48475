package cors

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/cors"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/storage"
)

// Clients lists the registered clients.
type Clients interface {
	ListClients(ctx context.Context) ([]storage.Client, error)
}

// Config says where the origins come from and how long they are kept.
type Config struct {
	Clients Clients
	// Issuer is the provider's public base URL: a request from its origin
	// is the provider's own page, not a cross-origin one.
	Issuer string
	// Refresh is how long the origins loaded are used when no change is
	// told (Invalidate): a client changed by a command or another node
	// without Redis is seen after at most this long. 1 minute when zero.
	Refresh time.Duration
	// MaxAge is how long a browser may keep a preflight's answer
	// (Access-Control-Max-Age); 10 minutes when zero.
	MaxAge time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Defaults of Config.
const (
	defaultRefresh = time.Minute
	defaultMaxAge  = 10 * time.Minute
	// loadTimeout bounds one load of the clients, whatever the request
	// that needed it does meanwhile.
	loadTimeout = 5 * time.Second
	// retryAfter is how long a failed load is not tried again: the
	// origins known before (or none) answer meanwhile.
	retryAfter = time.Second
)

// Origins knows which client may be called from which browser origin,
// across every client, and answers the CORS protocol with it.
type Origins struct {
	cfg Config
	// own is the provider's own origin.
	own string
	// gen counts Invalidate calls: a set loaded at an older count is
	// stale.
	gen atomic.Uint64
	set atomic.Pointer[originSet]
	// loading is held by the one request loading the set.
	loading sync.Mutex
}

// originSet is the origins of every enabled client, as loaded once.
type originSet struct {
	// clients maps each origin to the clients that may be called from it.
	clients map[string][]string
	// gen is Origins.gen when the load began; until is when it is stale.
	gen   uint64
	until time.Time
	// retry, after a failed load, is when to try again.
	retry time.Time
}

// New returns the origins of cfg.Clients, loaded when first needed.
func New(cfg Config) *Origins {
	if cfg.Refresh <= 0 {
		cfg.Refresh = defaultRefresh
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = defaultMaxAge
	}
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	return &Origins{cfg: cfg, own: storage.OriginOf(cfg.Issuer)}
}

// Invalidate makes the next check load the clients' origins again: a
// client was created, changed or deleted.
func (o *Origins) Invalidate() { o.gen.Add(1) }

// Allowed reports whether any enabled client may be called from origin.
func (o *Origins) Allowed(ctx context.Context, origin string) bool {
	if origin == "" {
		return false
	}
	_, ok := o.current(ctx).clients[origin]
	return ok
}

// Permits reports whether r may act for the client clientID as far as
// its origin goes: it comes from no browser origin (no Origin header),
// from the provider's own, or from one the client may be called from. An
// endpoint refuses the request otherwise, before it changes anything.
func (o *Origins) Permits(r *http.Request, clientID string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == o.own {
		return true
	}
	return slices.Contains(o.current(r.Context()).clients[origin], clientID)
}

// current returns the set to check against, loading it when it is stale.
// While one request loads, the others use the set it replaces.
func (o *Origins) current(ctx context.Context) *originSet {
	s := o.set.Load()
	if o.fresh(s) {
		return s
	}
	if s == nil {
		o.loading.Lock()
	} else if !o.loading.TryLock() {
		return s
	}
	defer o.loading.Unlock()
	s = o.set.Load()
	if o.fresh(s) {
		return s
	}
	now := o.cfg.Now()
	if s != nil && now.Before(s.retry) {
		return s
	}
	gen := o.gen.Load()
	loaded, err := o.load(ctx)
	if err != nil {
		o.cfg.Logger.WarnContext(ctx, "load the clients' origins; answering with those known", "err", err)
		failed := &originSet{gen: gen, retry: now.Add(retryAfter)}
		if s != nil {
			failed.clients = s.clients
		}
		o.set.Store(failed)
		return failed
	}
	loaded.gen, loaded.until = gen, now.Add(o.cfg.Refresh)
	o.set.Store(loaded)
	return loaded
}

// fresh reports whether s was loaded since the last Invalidate and has
// not outlived Config.Refresh.
func (o *Origins) fresh(s *originSet) bool {
	return s != nil && s.gen == o.gen.Load() && o.cfg.Now().Before(s.until)
}

// load reads the origins of every enabled client.
func (o *Origins) load(ctx context.Context) (*originSet, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	list, err := o.cfg.Clients.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	s := &originSet{clients: map[string][]string{}}
	for _, c := range list {
		if c.Disabled {
			continue
		}
		for _, origin := range c.Origins() {
			s.clients[origin] = append(s.clients[origin], c.ID)
		}
	}
	return s, nil
}

// Endpoint wraps h, an authenticated endpoint answering methods, for the
// routes "METHOD path" of each method and "OPTIONS path". A preflight
// from an origin some client may be called from gets 204 with the
// methods, those of headers the browser asks for, and
// Access-Control-Max-Age; from another origin 204 with no CORS header. A
// request from an allowed origin gets Access-Control-Allow-Origin with
// that origin, and Access-Control-Expose-Headers with exposed, the
// response headers beyond the safelisted ones its script may read. Every
// answer has Vary: Origin, none allows credentials. An OPTIONS request
// that is not a preflight gets 204 with Allow.
func (o *Origins) Endpoint(methods, headers, exposed []string, h http.Handler) http.Handler {
	c := cors.New(cors.Options{
		AllowOriginVaryRequestFunc: func(r *http.Request, origin string) (bool, []string) {
			return o.Allowed(r.Context(), origin), nil
		},
		AllowedMethods:   methods,
		AllowedHeaders:   headers,
		ExposedHeaders:   exposed,
		MaxAge:           int(o.cfg.MaxAge / time.Second),
		AllowCredentials: false,
	})
	return c.Handler(withOptions(methods, h))
}

// Public wraps h, a public document's handler answering GET: any origin
// may read it (Access-Control-Allow-Origin: *), since it tells nothing a
// request has to be authenticated for.
func Public(h http.Handler) http.Handler {
	methods := []string{http.MethodGet, http.MethodHead}
	c := cors.New(cors.Options{
		AllowedOrigins:   []string{"*"},
		AllowedMethods:   methods,
		MaxAge:           int(defaultMaxAge / time.Second),
		AllowCredentials: false,
	})
	return c.Handler(withOptions(methods, h))
}

// withOptions answers an OPTIONS request that is not a preflight (which
// rs/cors answers itself) with the methods of the route.
func withOptions(methods []string, h http.Handler) http.Handler {
	allow := strings.Join(append(slices.Clone(methods), http.MethodOptions), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}
