package main

import (
	"log/slog"
	"net/http"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/ratelimit"
)

// rateLimits is the middleware enforcing cfg.RateLimit, nil when rate
// limits are off. With rdb (a nil interface when no Redis is configured)
// the budgets are shared by every node using that Redis; without it each
// node counts on its own. onLimited, when set, counts refusals.
func rateLimits(cfg config.Config, rdb goredis.UniversalClient, pages ratelimit.Pages, onLimited func(endpoint, by string), logger *slog.Logger) func(http.Handler) http.Handler {
	rl := cfg.RateLimit
	if !rl.Enabled {
		return nil
	}
	limit := func(r config.RequestRate) ratelimit.Limit {
		return ratelimit.Limit{Rate: r.Rate, Period: r.Period, Burst: r.Burst}
	}
	l := ratelimit.New(ratelimit.Config{Redis: rdb, Prefix: cfg.Redis.Prefix + "rl:", OnLimited: onLimited, Logger: logger})
	login := limit(rl.Login.PerIP)
	return l.Middleware(pages,
		ratelimit.Rule{Pattern: "POST /oauth2/token", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		// Pushing an authorization request (RFC 9126) and asking for a
		// device code (RFC 8628) authenticate the client as a token
		// request does, and share its budgets.
		ratelimit.Rule{Pattern: "POST /oauth2/par", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		ratelimit.Rule{Pattern: "POST /oauth2/device/auth", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		ratelimit.Rule{Pattern: "POST /oauth2/introspect", Endpoint: "introspect", PerClient: limit(rl.Introspect.PerClient), PerIP: limit(rl.Introspect.PerIP)},
		// The password and the second-factor steps of sign-in share one
		// budget per address.
		ratelimit.Rule{Pattern: "POST /login", Endpoint: "login", PerIP: login, Page: true},
		ratelimit.Rule{Pattern: "POST /login/mfa", Endpoint: "login", PerIP: login, Page: true},
		// Approving a device sign-in is a step of signing in.
		ratelimit.Rule{Pattern: "POST /device", Endpoint: "login", PerIP: login, Page: true},
		// Drawing a QR code costs milliseconds of CPU (a PNG about 6 ms
		// here, an SVG 0.4 ms): a device shows one per sign-in, so the
		// sign-in budget per address, kept apart, is plenty.
		ratelimit.Rule{Pattern: "GET /device/qr.png", Endpoint: "qr", PerIP: login, Page: true},
		ratelimit.Rule{Pattern: "GET /device/qr.svg", Endpoint: "qr", PerIP: login, Page: true},
	)
}
