package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/storage"
)

func keysCmd(e env) *cobra.Command {
	return group("keys", "Rotate the token signing keys", "Keys administers the keys that sign tokens.",
		configCommand(e, &cobra.Command{
			Use:   "rotate",
			Short: "Make a new signing key of each algorithm current",
			Long: `Rotate makes a new signing key of each algorithm current. The previous keys
stay published (JWKS) as long as a token they signed can live.`,
		}, keysRotate))
}

// keysRotate rotates the signing keys.
func keysRotate(ctx context.Context, e env, path string) error {
	cfg, store, err := adminStore(ctx, path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	km, err := newKeyManager(cfg, store, ring, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	existing, err := store.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	// The old key stays published as long as a token it signed can live.
	keep := max(cfg.Lifespans.IDToken, cfg.Lifespans.AccessToken)
	// A key of every algorithm is rotated, RS256 first, a line each.
	rotated, err := km.Rotate(ctx, keep)
	for _, k := range rotated {
		if !slices.ContainsFunc(existing, func(sk storage.SigningKey) bool { return sk.Current() && sk.Algorithm == k.Algorithm }) {
			fmt.Fprintf(e.stdout, "new signing key %s (%s) is current (the first one)\n", k.ID, k.Algorithm)
			continue
		}
		fmt.Fprintf(e.stdout, "new signing key %s (%s) is current; the previous %s key stays published for %s\n", k.ID, k.Algorithm, k.Algorithm, keep)
	}
	return err
}
