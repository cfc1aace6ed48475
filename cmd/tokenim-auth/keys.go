package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// keysCommand administers signing keys.
func keysCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usagef("usage: tokenim-auth keys rotate [--config FILE]")
	}
	fs, path := newFlags("keys rotate", e)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
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
