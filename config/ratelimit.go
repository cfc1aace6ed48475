package config

import "time"

// RateLimit caps how often one client or one address may call the token
// endpoint, introspection, sign-in and the account pages; a refused request gets 429 Too Many
// Requests with Retry-After. With Redis configured the budgets are kept
// there and shared by every node; otherwise each node counts on its own.
type RateLimit struct {
	// Enabled turns the limits on.
	Enabled bool `yaml:"enabled"`
	// Token limits POST /oauth2/token and POST /oauth2/par, which share
	// one budget per client and one per address.
	Token RateLimits `yaml:"token"`
	// Introspect limits POST /oauth2/introspect. Resource servers may
	// introspect at very high rates: off by default.
	Introspect RateLimits `yaml:"introspect"`
	// Login limits sign-in: POST /login and POST /login/mfa, which share
	// one budget per address.
	Login LoginRateLimits `yaml:"login"`
	// Accounts limits the account pages anyone may use, which hash a
	// password, send mail or check an emailed link: registration,
	// activation (and its resending), forgotten and reset passwords. They
	// share one budget per address.
	Accounts LoginRateLimits `yaml:"accounts"`
	// AccountChanges limits the signed-in account page's changes (every
	// POST /account/...: setting up and turning off two-step verification,
	// new recovery codes, signing out one device or everywhere,
	// withdrawing an app), which check a password or a code or change
	// security settings. One budget per address.
	AccountChanges LoginRateLimits `yaml:"account_changes"`
	// Registration limits dynamic client registration, POST
	// /oauth2/register, per address: each registration stores a client.
	Registration LoginRateLimits `yaml:"registration"`
}

// RateLimits are a protocol endpoint's budgets.
type RateLimits struct {
	// PerClient is each client ID's budget, whoever sends it.
	PerClient RequestRate `yaml:"per_client"`
	// PerIP is each client address's budget (an IPv6 address counts by
	// its /64).
	PerIP RequestRate `yaml:"per_ip"`
}

// LoginRateLimits are the budgets of pages for people, which have no
// client: sign-in, the account pages.
type LoginRateLimits struct {
	// PerIP is each client address's budget.
	PerIP RequestRate `yaml:"per_ip"`
}

// RequestRate is a budget: Rate requests per Period, up to Burst of them
// at once.
type RequestRate struct {
	// Rate is how many requests each Period allows; 0 turns the limit off.
	Rate int `yaml:"rate"`
	// Period is the span Rate is counted over.
	Period time.Duration `yaml:"period"`
	// Burst is how many requests may come back to back after a quiet
	// spell; at least 1 when Rate is set.
	Burst int `yaml:"burst"`
}

// defaultRateLimit is generous: it stops floods, not busy clients. A
// client and an address may ask for ten tokens a second and twenty,
// after a burst; sign-in, which hashes a password each time, allows one
// attempt a second per address after a burst of thirty. The account pages
// are used a few times per person, not per minute: twenty at once from an
// address, then one a minute.
func defaultRateLimit() RateLimit {
	return RateLimit{
		Enabled: true,
		Token: RateLimits{
			PerClient: RequestRate{Rate: 600, Period: time.Minute, Burst: 100},
			PerIP:     RequestRate{Rate: 1200, Period: time.Minute, Burst: 200},
		},
		Introspect: RateLimits{
			PerClient: RequestRate{Period: time.Minute},
			PerIP:     RequestRate{Period: time.Minute},
		},
		Login: LoginRateLimits{
			PerIP: RequestRate{Rate: 60, Period: time.Minute, Burst: 30},
		},
		Accounts: LoginRateLimits{
			PerIP: RequestRate{Rate: 60, Period: time.Hour, Burst: 20},
		},
		AccountChanges: LoginRateLimits{
			PerIP: RequestRate{Rate: 60, Period: time.Hour, Burst: 20},
		},
		// A bot registers once, not once a minute: ten at once from an
		// address, then one every six minutes.
		Registration: LoginRateLimits{
			PerIP: RequestRate{Rate: 10, Period: time.Hour, Burst: 10},
		},
	}
}

func (c Config) validateRateLimit(p *problems) {
	const path = "rate_limit"
	c.RateLimit.Token.PerClient.validate(p, path+".token.per_client")
	c.RateLimit.Token.PerIP.validate(p, path+".token.per_ip")
	c.RateLimit.Introspect.PerClient.validate(p, path+".introspect.per_client")
	c.RateLimit.Introspect.PerIP.validate(p, path+".introspect.per_ip")
	c.RateLimit.Login.PerIP.validate(p, path+".login.per_ip")
	c.RateLimit.Accounts.PerIP.validate(p, path+".accounts.per_ip")
	c.RateLimit.AccountChanges.PerIP.validate(p, path+".account_changes.per_ip")
	c.RateLimit.Registration.PerIP.validate(p, path+".registration.per_ip")
}

func (r RequestRate) validate(p *problems, path string) {
	if r.Rate < 0 {
		p.add(path+".rate", "must not be negative (0 turns the limit off)")
	}
	if r.Burst < 0 {
		p.add(path+".burst", "must not be negative")
	}
	if r.Period < 0 {
		p.add(path+".period", "must not be negative")
	}
	if r.Rate <= 0 {
		return
	}
	if r.Period == 0 {
		p.add(path+".period", "must be positive when rate is set, such as 1m")
	} else if r.Period < time.Millisecond {
		p.add(path+".period", "must be at least 1ms")
	}
	if r.Burst == 0 {
		p.add(path+".burst", "must be at least 1 when rate is set")
	}
}
