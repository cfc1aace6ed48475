package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
)

// newKeyring is the keyring of secrets.system, also accepting
// secrets.system_previous during a rotation.
func newKeyring(cfg config.Config) (secret.Keyring, error) {
	ring, err := secret.NewKeyring(cfg.Secrets.System)
	if err != nil {
		return secret.Keyring{}, usageError{fmt.Errorf("secrets.system: %w", err)}
	}
	if ring, err = ring.WithPrevious(cfg.Secrets.SystemPrevious...); err != nil {
		return secret.Keyring{}, usageError{fmt.Errorf("secrets.system_previous: %w", err)}
	}
	return ring, nil
}

// secretsCmd helps rotate the system secret: reseal moves what is sealed
// under a previous secret to the current one; status says what still
// needs a previous secret.
func secretsCmd(e env) *cobra.Command {
	return group("secrets", "Reseal under the current system secret, or show what a rotation still needs",
		`Secrets helps rotate the system secret (secrets.system): once every node runs
with the new secret and the old one in secrets.system_previous, reseal moves
what is sealed under the old one to the new one, and status says what still
needs the old one.`,
		configCommand(e, &cobra.Command{
			Use:   "reseal",
			Short: "Seal the signing keys and TOTP secrets under the current system secret",
		}, secretsReseal),
		configCommand(e, &cobra.Command{
			Use:   "status",
			Short: "Show what still needs a previous system secret",
		}, secretsStatus))
}

// secretsReseal seals every signing key and TOTP secret sealed under one of
// secrets.system_previous under secrets.system, and reports the counts.
// Run again, it reseals nothing.
func secretsReseal(ctx context.Context, e env, path string) error {
	k, err := openKeys(ctx, e, path)
	if err != nil {
		return err
	}
	defer k.store.Close()
	store, ring, km := k.store, k.ring, k.keys
	stored, resealed, err := km.Reseal(ctx)
	if err != nil {
		return wrongSecret(err)
	}
	fmt.Fprintf(e.stdout, "signing keys: %d stored, %d resealed under secrets.system\n", stored, resealed)
	sealer, err := ring.Sealer(secret.PurposeTOTP)
	if err != nil {
		return err
	}
	totp, err := resealTOTP(ctx, store, sealer, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "TOTP secrets: %d stored, %d resealed under secrets.system\n", totp.stored, totp.moved)
	if len(totp.unopened) > 0 {
		return fmt.Errorf("the TOTP secrets of %d users open under no configured system secret, and are left as they are (users %s)",
			len(totp.unopened), strings.Join(totp.unopened, ", "))
	}
	up, err := resealUpstreams(ctx, store, ring, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "upstream secrets: %d stored, %d resealed under secrets.system\n", up.Stored, up.Moved)
	if len(up.Unopened) > 0 {
		return fmt.Errorf("the secrets of %d upstream connectors open under no configured system secret, and are left as they are (connectors %s)",
			len(up.Unopened), strings.Join(up.Unopened, ", "))
	}
	return resealWebhooks(ctx, e, store, ring)
}

// resealUpstreams counts the stored upstream connectors' secrets sealed
// under a previous system secret and, with write, seals them under the
// current one (upstream.Reseal).
func resealUpstreams(ctx context.Context, store storage.Store, ring secret.Keyring, write bool) (upstream.ResealCount, error) {
	sealer, err := ring.Sealer(secret.PurposeUpstreams)
	if err != nil {
		return upstream.ResealCount{}, err
	}
	return upstream.Reseal(ctx, store, sealer, write)
}

// totpCount is what resealTOTP found.
type totpCount struct {
	stored int
	// moved counts the secrets resealed, or that would be.
	moved int
	// unopened are the users whose secret opens under no key.
	unopened []string
}

// errResealed ends an update that finds nothing left to reseal.
var errResealed = errors.New("nothing to reseal")

// resealTOTP counts the stored TOTP secrets sealed under a previous system
// secret and, when write is set, seals them under the current one.
func resealTOTP(ctx context.Context, store storage.Users, sealer secret.Sealer, write bool) (totpCount, error) {
	var c totpCount
	err := eachUser(ctx, store, func(u storage.User) error {
		if len(u.TOTPSecret) == 0 {
			return nil
		}
		c.stored++
		_, changed, err := mfa.ResealSecret(sealer, u.ID, u.TOTPSecret)
		switch {
		case err != nil:
			c.unopened = append(c.unopened, u.ID)
			return nil
		case !changed:
			return nil
		case !write:
			c.moved++
			return nil
		}
		// Sealed again from the record read in the update, which another
		// run or the user may have changed since.
		_, err = store.UpdateUser(ctx, u.ID, func(u storage.User) (storage.User, error) {
			sealed, changed, err := mfa.ResealSecret(sealer, u.ID, u.TOTPSecret)
			if err != nil || !changed {
				return u, errResealed
			}
			u.TOTPSecret = sealed
			return u, nil
		})
		switch {
		case err == nil:
			c.moved++
		case !errors.Is(err, errResealed) && !errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("reseal the TOTP secret of %s: %w", u.ID, err)
		}
		return nil
	})
	return c, err
}

// eachUser calls fn with every user, reading a page at a time.
func eachUser(ctx context.Context, store storage.Users, fn func(storage.User) error) error {
	page := storage.Page{Limit: 500}
	for {
		batch, err := store.ListUsers(ctx, page)
		if err != nil {
			return err
		}
		for _, u := range batch {
			if err := fn(u); err != nil {
				return err
			}
		}
		if len(batch) < page.Limit {
			return nil
		}
		page.After = strings.ToLower(batch[len(batch)-1].Email)
	}
}

// secretsStatus says, during a rotation of the system secret, which stored
// values still need one of secrets.system_previous: once none does, the
// previous secrets can be removed.
func secretsStatus(ctx context.Context, e env, path string) error {
	k, err := openKeys(ctx, e, path)
	if err != nil {
		return err
	}
	defer k.store.Close()
	cfg, store, ring := k.cfg, k.store, k.ring
	if ring.Previous() == 0 {
		fmt.Fprintln(e.stdout, "no previous system secret is configured (secrets.system_previous): no rotation is under way")
		return nil
	}
	var needs []string
	need := func(what string) { needs = append(needs, what) }

	stored, stale, err := k.keys.Stale(ctx)
	if err != nil {
		return wrongSecret(err)
	}
	fmt.Fprintf(e.stdout, "signing keys: %d stored, %d sealed under a previous secret\n", stored, stale)
	if stale > 0 {
		need("signing keys (run tokenim-auth secrets reseal)")
	}

	sealer, err := ring.Sealer(secret.PurposeTOTP)
	if err != nil {
		return err
	}
	totp, err := resealTOTP(ctx, store, sealer, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "TOTP secrets: %d stored, %d sealed under a previous secret", totp.stored, totp.moved)
	if len(totp.unopened) > 0 {
		fmt.Fprintf(e.stdout, ", %d under no configured secret (users %s)", len(totp.unopened), strings.Join(totp.unopened, ", "))
	}
	fmt.Fprintln(e.stdout)
	if totp.moved > 0 {
		need("TOTP secrets (run tokenim-auth secrets reseal)")
	}

	up, err := resealUpstreams(ctx, store, ring, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "upstream secrets: %d stored, %d sealed under a previous secret", up.Stored, up.Moved)
	if len(up.Unopened) > 0 {
		fmt.Fprintf(e.stdout, ", %d under no configured secret (connectors %s)", len(up.Unopened), strings.Join(up.Unopened, ", "))
	}
	fmt.Fprintln(e.stdout)
	if up.Moved > 0 {
		need("upstream secrets (run tokenim-auth secrets reseal)")
	}
	if err := webhookSecretStatus(ctx, e, store, ring, need); err != nil {
		return err
	}

	if err := clientSecretStatus(ctx, e.stdout, store, secret.NewHasher(ring), time.Now(), need); err != nil {
		return err
	}

	recovery := secret.NewHasherFor(ring, secret.PurposeRecoveryCodes)
	holders := 0
	err = eachUser(ctx, store, func(u storage.User) error {
		for _, h := range u.RecoveryCodes {
			if !recovery.UnderCurrent(h) {
				holders++
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "recovery codes: %d users hold codes hashed under a previous secret\n", holders)
	if holders > 0 {
		need("recovery codes (until each user uses or regenerates them)")
	}

	parts, err := newAudit(cfg, store, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	rep, err := parts.chain.Verify(ctx, store, auditPage)
	switch {
	case err != nil:
		return err
	case rep.Problem != nil:
		fmt.Fprintf(e.stdout, "audit records: the chain is broken (%s): run tokenim-auth audit verify\n", rep.Problem)
	default:
		fmt.Fprintf(e.stdout, "audit records: %d in the chain, %d linked under a previous secret\n", rep.Checked, rep.UnderPrevious)
		if rep.UnderPrevious > 0 {
			need("audit records (audit verify checks them only with it: until audit.retention prunes them, or keep an export verified now)")
		}
	}

	fmt.Fprintf(e.stdout, "tokens: those issued before the switch are accepted under a previous secret; a refresh token not used since lives up to lifespans.refresh_token (%s)\n",
		cfg.Lifespans.RefreshToken)
	if len(needs) == 0 {
		fmt.Fprintln(e.stdout, "nothing stored needs a previous system secret: remove secrets.system_previous once refresh tokens issued before the switch may stop working")
		return nil
	}
	fmt.Fprintln(e.stdout, "a previous system secret is still needed by:")
	for _, n := range needs {
		fmt.Fprintf(e.stdout, "  %s\n", n)
	}
	return nil
}

// clientSecretStatus lists the client secrets in force whose hash was made
// under a previous system secret, and when the last of them expires.
func clientSecretStatus(ctx context.Context, w io.Writer, store storage.Clients, h secret.Hasher, now time.Time, need func(string)) error {
	clients, err := store.ListClients(ctx)
	if err != nil {
		return err
	}
	inForce := 0
	var stale []string
	var last time.Time
	never := false
	for _, c := range clients {
		for _, s := range c.Secrets {
			if !s.ExpiresAt.IsZero() && !s.ExpiresAt.After(now) {
				continue
			}
			inForce++
			if h.UnderCurrent(s.Hash) {
				continue
			}
			expires := "never expires"
			if s.ExpiresAt.IsZero() {
				never = true
			} else {
				expires = "expires " + s.ExpiresAt.UTC().Format(time.RFC3339)
				last = later(last, s.ExpiresAt)
			}
			stale = append(stale, fmt.Sprintf("  client %s, secret %s (%s…): %s", c.ID, s.ID, s.Prefix, expires))
		}
	}
	fmt.Fprintf(w, "client secrets: %d in force, %d hashed under a previous secret\n", inForce, len(stale))
	for _, line := range stale {
		fmt.Fprintln(w, line)
	}
	switch {
	case len(stale) == 0:
	case never:
		need("client secrets (until each is used once, or rotated: one never expires)")
	default:
		need("client secrets (until each is used once, or rotated, or expires: the last at " + last.UTC().Format(time.RFC3339) + ")")
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
