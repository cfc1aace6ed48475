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
	l := ratelimit.New(ratelimit.Config{Redis: rdb, Prefix: cfg.Redis.Prefix + "rl:", OnLimited: onLimited, Logger: logger})
	return l.Middleware(pages, rateRules(rl)...)
}

// rateRules are the budgets of rl, one rule per route: every page that
// hashes a password, sends mail or checks a secret has one.
func rateRules(rl config.RateLimit) []ratelimit.Rule {
	limit := func(r config.RequestRate) ratelimit.Limit {
		return ratelimit.Limit{Rate: r.Rate, Period: r.Period, Burst: r.Burst}
	}
	login, accounts, changes := limit(rl.Login.PerIP), limit(rl.Accounts.PerIP), limit(rl.AccountChanges.PerIP)
	page := func(pattern, endpoint string, perIP ratelimit.Limit) ratelimit.Rule {
		return ratelimit.Rule{Pattern: pattern, Endpoint: endpoint, PerIP: perIP, Page: true}
	}
	return []ratelimit.Rule{
		{Pattern: "POST /oauth2/token", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		// Pushing an authorization request (RFC 9126) and asking for a
		// device code (RFC 8628) authenticate the client as a token
		// request does, and share its budgets.
		{Pattern: "POST /oauth2/par", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		{Pattern: "POST /oauth2/device/auth", Endpoint: "token", PerClient: limit(rl.Token.PerClient), PerIP: limit(rl.Token.PerIP)},
		{Pattern: "POST /oauth2/introspect", Endpoint: "introspect", PerClient: limit(rl.Introspect.PerClient), PerIP: limit(rl.Introspect.PerIP)},
		// Each dynamic client registration stores a client: one budget
		// per address.
		{Pattern: "POST /oauth2/register", Endpoint: "registration", PerIP: limit(rl.Registration.PerIP)},
		// The password and the second-factor steps of sign-in share one
		// budget per address.
		page("POST /login", "login", login),
		page("POST /login/mfa", "login", login),
		page("POST /login/passkey/options", "login", login),
		page("POST /login/passkey", "login", login),
		page("POST /login/mfa/passkey/options", "login", login),
		page("POST /login/mfa/passkey", "login", login),
		// Signing in through an upstream identity provider: the start
		// (which may discover the upstream) and the callback (which
		// redeems a code and verifies a token) are steps of signing in.
		page("POST /login/upstream/{id}", "login", login),
		page("GET /login/upstream/callback/{id}", "login", login),
		page("POST /login/upstream/callback/{id}", "login", login),
		// An upstream's logout token: each forged one costs a fetch of
		// the upstream's keys.
		page("POST /login/upstream/backchannel/{id}", "login", login),
		// A directory's (LDAP) password is checked there: a step of
		// signing in.
		page("POST /login/directory/{id}", "login", login),
		// Approving a device sign-in is a step of signing in.
		page("POST /device", "login", login),
		// Drawing a QR code costs milliseconds of CPU (a PNG about 6 ms
		// here, an SVG 0.4 ms): a device shows one per sign-in, so the
		// sign-in budget per address, kept apart, is plenty.
		page("GET /device/qr.png", "qr", login),
		page("GET /device/qr.svg", "qr", login),
		// The account pages anyone may use: each hashes a password, sends
		// mail or checks an emailed link.
		page("POST /register", "accounts", accounts),
		page("GET /activate", "accounts", accounts),
		page("POST /activate", "accounts", accounts),
		page("POST /activate/resend", "accounts", accounts),
		page("POST /password/forgot", "accounts", accounts),
		page("GET /password/reset", "accounts", accounts),
		page("POST /password/reset", "accounts", accounts),
		// A workspace invitation's link checks its token, as an emailed
		// link does.
		page("GET /invitations/{token}", "accounts", accounts),
		page("POST /invitations/{token}", "accounts", accounts),
		// Asking to install an app into a workspace writes a request
		// the workspace's admins see: the account changes' budget.
		page("POST /workspaces/{handle}/apps/{client_id}/install", "account", changes),
		// The signed-in account page's changes: a password, a code or the
		// security settings. Every POST under /account/ (the subtree, as
		// the mux matches it), so that a change added to the page has its
		// budget without a rule of its own.
		page("POST /account/", "account", changes),
	}
}
