package config

import (
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/dpop"
)

// DPoP configures sender-constrained tokens (RFC 9449): a client that
// sends a DPoP proof with its token request gets tokens bound to the
// proof's key, which work only with a fresh proof of that key.
type DPoP struct {
	// Enabled accepts DPoP proofs at the token and PAR endpoints and
	// advertises dpop_signing_alg_values_supported; off, a DPoP header is
	// ignored and every token is a bearer token.
	Enabled bool `yaml:"enabled"`
	// Nonce makes the token, PAR and userinfo endpoints require a server
	// nonce in every proof (RFC 9449 section 8): a proof without the
	// current one is answered use_dpop_nonce with the nonce to use. It
	// bounds how long a proof made in advance stays usable.
	Nonce bool `yaml:"nonce"`
	// RequiredFor are the kinds of client that get no token without a
	// proof: "public" (every public client) and "browser" (browser apps).
	RequiredFor []string `yaml:"required_for"`
	// ProofWindow is how old a proof may be (its iat); its jti is
	// remembered, on every node, for as long.
	ProofWindow time.Duration `yaml:"proof_window"`
	// Algorithms are the signature algorithms a proof may use; empty
	// means ES256, ES384, EdDSA, RS256 and PS256.
	Algorithms []string `yaml:"algorithms"`
}

// DPoPKinds are the values of dpop.required_for.
func DPoPKinds() []string { return []string{"public", "browser"} }

func defaultDPoP() DPoP {
	return DPoP{Enabled: true, ProofWindow: dpop.DefaultWindow, RequiredFor: []string{}, Algorithms: []string{}}
}

// DPoPAlgs are the configured algorithms in go-jose's type.
func (d DPoP) DPoPAlgs() []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, len(d.Algorithms))
	for i, a := range d.Algorithms {
		out[i] = jose.SignatureAlgorithm(a)
	}
	return out
}

func (c Config) validateDPoP(p *problems) {
	d := c.DPoP
	for i, k := range d.RequiredFor {
		if !slices.Contains(DPoPKinds(), k) {
			p.add(fmt.Sprintf("dpop.required_for[%d]", i), "must be one of %v, got %q", DPoPKinds(), k)
		}
	}
	if len(d.RequiredFor) > 0 && !d.Enabled {
		p.add("dpop.required_for", "needs dpop.enabled: a client cannot be made to use DPoP while it is off")
	}
	if d.ProofWindow < 10*time.Second || d.ProofWindow > time.Hour {
		p.add("dpop.proof_window", "must be between 10s and 1h, got %s", d.ProofWindow)
	}
	for i, a := range d.DPoPAlgs() {
		if err := dpop.CheckAlgs([]jose.SignatureAlgorithm{a}); err != nil {
			p.add(fmt.Sprintf("dpop.algorithms[%d]", i), "%q is not an asymmetric signature algorithm (use ES256, ES384, ES512, EdDSA, RS256, PS256, ...)", string(a))
		}
	}
}
