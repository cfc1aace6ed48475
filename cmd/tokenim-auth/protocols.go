package main

// The protocol extensions' settings, from the configuration to the
// provider: DPoP proofs (RFC 9449) and token exchange policies (RFC 8693).

import (
	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// dpopVerifier is the DPoP proof checker of the token, PAR and userinfo
// endpoints (nil when dpop.enabled is off): every proof's jti is kept in
// the store's JTI table, which every node shares and the janitor purges,
// and nonces, when on, are keyed by the system secret so every node makes
// and accepts the same ones.
func dpopVerifier(c config.DPoP, store storage.JTIs, ring secret.Keyring) (oauth.DPoP, error) {
	if !c.Enabled {
		return nil, nil
	}
	cfg := dpop.Config{Algs: c.DPoPAlgs(), Window: c.ProofWindow, Replays: storage.Once{JTIs: store}}
	if c.Nonce {
		cfg.Nonces = dpop.NewNonces(ring.Derive(secret.PurposeDPoPNonces), 0)
	}
	v, err := dpop.New(cfg)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// exchangePolicies are token_exchange: of the configuration, as the
// token endpoint's directory and the admin API read them.
func exchangePolicies(cfg config.Config) []storage.ExchangePolicy {
	out := make([]storage.ExchangePolicy, 0, len(cfg.TokenExchange))
	for _, e := range cfg.TokenExchange {
		out = append(out, storage.ExchangePolicy{ClientID: e.Client, SubjectAudiences: e.SubjectAudiences, Resources: e.Resources, Scopes: e.Scopes,
			Impersonation: e.Impersonation})
	}
	return out
}
