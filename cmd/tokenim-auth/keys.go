package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/secret"
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
	k, err := openKeys(ctx, e, path)
	if err != nil {
		return err
	}
	defer k.store.Close()
	cfg, store, km := k.cfg, k.store, k.keys
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

// keyTools is what the commands that handle signing keys and sealed
// secrets work with: the configuration, the store (the caller closes it),
// the keyring of the system secrets and the signing keys' manager.
type keyTools struct {
	cfg   config.Config
	store storage.LockingStore
	ring  secret.Keyring
	keys  *keys.Manager
}

// openKeys opens the key tools of the configuration at path.
func openKeys(ctx context.Context, e env, path string) (keyTools, error) {
	cfg, store, err := adminStore(ctx, path, e)
	if err != nil {
		return keyTools{}, err
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		store.Close()
		return keyTools{}, err
	}
	km, err := newKeyManager(cfg, store, ring, newLogger(cfg, e.stderr))
	if err != nil {
		store.Close()
		return keyTools{}, err
	}
	return keyTools{cfg: cfg, store: store, ring: ring, keys: km}, nil
}
