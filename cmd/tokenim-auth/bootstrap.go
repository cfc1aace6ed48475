package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// configSecretID names the secret a bootstrap client gets from the
// configuration file.
const configSecretID = "config"

// bootstrap upserts the clients and users declared in the configuration,
// so a deployment can be declared in a file and re-applied at every start.
func bootstrap(ctx context.Context, cfg config.Config, store storage.Store, hasher secret.Hasher, now time.Time, logger *slog.Logger) error {
	for _, c := range cfg.Clients {
		if err := upsertClient(ctx, store, clientFromConfig(c, hasher, now)); err != nil {
			return fmt.Errorf("bootstrap client %s: %w", c.ID, err)
		}
		logger.InfoContext(ctx, "bootstrap client applied", "client_id", c.ID)
	}
	for _, u := range cfg.Users {
		if err := upsertUser(ctx, store, u, now); err != nil {
			return fmt.Errorf("bootstrap user %s: %w", u.Email, err)
		}
		logger.InfoContext(ctx, "bootstrap user applied", "email", u.Email)
	}
	return nil
}

// clientFromConfig turns a configured client into a record.
func clientFromConfig(c config.Client, hasher secret.Hasher, now time.Time) storage.Client {
	rec := c.Record(now)
	if c.Secret != "" {
		rec.Secrets = []storage.ClientSecret{{ID: configSecretID, Hash: hasher.Hash(c.Secret), Prefix: secret.Prefix(c.Secret), CreatedAt: now}}
	}
	return rec
}

// upsertClient creates the client or brings an existing one in line with
// the configuration. A secret whose hash is unchanged keeps its record.
func upsertClient(ctx context.Context, store storage.Clients, want storage.Client) error {
	err := store.CreateClient(ctx, want)
	if !errors.Is(err, storage.ErrAlreadyExists) {
		return err
	}
	_, err = store.UpdateClient(ctx, want.ID, func(have storage.Client) (storage.Client, error) {
		next := want
		next.CreatedAt = have.CreatedAt
		for i, s := range next.Secrets {
			for _, old := range have.Secrets {
				if string(old.Hash) == string(s.Hash) {
					next.Secrets[i] = old
				}
			}
		}
		return next, nil
	})
	return err
}

// upsertUser creates the user or updates its name and password when the
// configuration changed them.
func upsertUser(ctx context.Context, store storage.Users, u config.User, now time.Time) error {
	existing, err := store.GetUserByEmail(ctx, u.Email)
	if errors.Is(err, storage.ErrNotFound) {
		hash, err := userHash(u)
		if err != nil {
			return err
		}
		return store.CreateUser(ctx, storage.User{
			ID: uuid.NewString(), Email: strings.TrimSpace(u.Email), EmailVerified: true, Name: u.Name,
			PasswordHash: hash, Status: storage.UserActive, Role: u.Role, CreatedAt: now, UpdatedAt: now,
		})
	}
	if err != nil {
		return err
	}
	_, err = store.UpdateUser(ctx, existing.ID, func(have storage.User) (storage.User, error) {
		have.Name = u.Name
		if u.Role != "" {
			have.Role = u.Role
		}
		if u.PasswordHash != "" && have.PasswordHash != u.PasswordHash {
			have.PasswordHash = u.PasswordHash
			have.UpdatedAt = now
		}
		if u.Password != "" {
			if ok, _ := password.Verify(u.Password, have.PasswordHash); !ok {
				hash, err := password.Hash(u.Password)
				if err != nil {
					return have, err
				}
				have.PasswordHash = hash
				have.UpdatedAt = now
			}
		}
		return have, nil
	})
	return err
}

func userHash(u config.User) (string, error) {
	if u.PasswordHash != "" {
		return u.PasswordHash, nil
	}
	return password.Hash(u.Password)
}
