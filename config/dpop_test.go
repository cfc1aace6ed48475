package config

import (
	"slices"
	"testing"
	"time"
)

func TestDPoP(t *testing.T) {
	t.Parallel()
	t.Run("is on by default, without nonces, required of nobody", func(t *testing.T) {
		d := Default().DPoP
		if !d.Enabled || d.Nonce || len(d.RequiredFor) > 0 || d.ProofWindow != 5*time.Minute {
			t.Fatalf("default dpop %+v", d)
		}
	})

	t.Run("the environment sets it", func(t *testing.T) {
		cfg, err := Load("", mapEnv(map[string]string{
			"TOKENIM_DPOP_NONCE": "true", "TOKENIM_DPOP_REQUIRED_FOR": "public,browser", "TOKENIM_DPOP_PROOF_WINDOW": "2m",
			"TOKENIM_DPOP_ALGORITHMS": "ES256,EdDSA",
		}))
		if err != nil {
			t.Fatal(err)
		}
		d := cfg.DPoP
		if !d.Nonce || !slices.Equal(d.RequiredFor, []string{"public", "browser"}) || d.ProofWindow != 2*time.Minute || !slices.Equal(d.Algorithms, []string{"ES256", "EdDSA"}) {
			t.Fatalf("dpop %+v", d)
		}
	})

	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"an unknown kind of client", func(c *Config) { c.DPoP.RequiredFor = []string{"public", "mobile"} }, "dpop.required_for[1]", `got "mobile"`},
		{"required while off", func(c *Config) { c.DPoP.Enabled, c.DPoP.RequiredFor = false, []string{"public"} }, "dpop.required_for", "needs dpop.enabled"},
		{"a window of a second", func(c *Config) { c.DPoP.ProofWindow = time.Second }, "dpop.proof_window", "between 10s and 1h"},
		{"a window of a day", func(c *Config) { c.DPoP.ProofWindow = 24 * time.Hour }, "dpop.proof_window", "between 10s and 1h"},
		{"a shared-secret algorithm", func(c *Config) { c.DPoP.Algorithms = []string{"ES256", "HS256"} }, "dpop.algorithms[1]", "not an asymmetric"},
		{"none", func(c *Config) { c.DPoP.Algorithms = []string{"none"} }, "dpop.algorithms[0]", "not an asymmetric"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}

	t.Run("every kind and an asymmetric algorithm are accepted", func(t *testing.T) {
		cfg := validConfig()
		cfg.DPoP.RequiredFor, cfg.DPoP.Algorithms, cfg.DPoP.Nonce = DPoPKinds(), []string{"PS256", "ES384"}, true
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
