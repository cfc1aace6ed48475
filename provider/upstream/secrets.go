package upstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// sealLabel binds a sealed connector secret to its connector. Stored
// secrets depend on it: changing it makes every sealed secret unopenable.
func sealLabel(connectorID string) string {
	return "upstream:" + connectorID
}

// SealSecret encrypts a connector's secret (an OAuth client secret, an
// LDAP bind password, a private key) for storage with its record
// (storage.Connector.SealedSecret). s is the sealer for
// secret.PurposeUpstreams.
func SealSecret(s secret.Sealer, connectorID, plaintext string) []byte {
	return s.Seal([]byte(plaintext), sealLabel(connectorID))
}

// OpenSecret decrypts what SealSecret produced for the same connector,
// under the current system secret or a previous one. A secret sealed for
// another connector, under a system secret no longer configured, or
// altered gives an error wrapping secret.ErrUnsealable.
func OpenSecret(s secret.Sealer, connectorID string, sealed []byte) (string, error) {
	plain, err := s.Open(sealed, sealLabel(connectorID))
	if err != nil {
		return "", fmt.Errorf("upstream: open the secret of connector %s: %w", connectorID, err)
	}
	return string(plain), nil
}

// Connectors is the storage Reseal needs.
type Connectors interface {
	ListConnectors(ctx context.Context) ([]storage.Connector, error)
	UpdateConnector(ctx context.Context, id string, update func(storage.Connector) (storage.Connector, error)) (storage.Connector, error)
}

// ResealCount is what Reseal found.
type ResealCount struct {
	// Stored counts the connectors with a secret.
	Stored int
	// Moved counts the secrets resealed under the current system secret,
	// or that would be.
	Moved int
	// Unopened are the connectors whose secret opens under no key.
	Unopened []string
}

// errResealed ends an update that finds nothing left to reseal.
var errResealed = errors.New("nothing to reseal")

// Reseal counts the stored connectors' secrets sealed under a previous
// system secret and, when write is set, seals them under the current one
// (s is the sealer for secret.PurposeUpstreams, with the previous secrets'
// keys). Run again, it reseals nothing. A secret that opens under no key
// is left as it is and named in Unopened.
func Reseal(ctx context.Context, store Connectors, s secret.Sealer, write bool) (ResealCount, error) {
	var n ResealCount
	list, err := store.ListConnectors(ctx)
	if err != nil {
		return n, fmt.Errorf("upstream: list connectors: %w", err)
	}
	for _, c := range list {
		if len(c.SealedSecret) == 0 {
			continue
		}
		n.Stored++
		_, changed, err := s.Reseal(c.SealedSecret, sealLabel(c.ID))
		switch {
		case err != nil:
			n.Unopened = append(n.Unopened, c.ID)
			continue
		case !changed:
			continue
		case !write:
			n.Moved++
			continue
		}
		// Sealed again from the record read in the update, which another
		// run or an admin may have changed since.
		_, err = store.UpdateConnector(ctx, c.ID, func(c storage.Connector) (storage.Connector, error) {
			sealed, changed, err := s.Reseal(c.SealedSecret, sealLabel(c.ID))
			if err != nil || !changed {
				return c, errResealed
			}
			c.SealedSecret = sealed
			return c, nil
		})
		switch {
		case err == nil:
			n.Moved++
		case errors.Is(err, errResealed), errors.Is(err, storage.ErrNotFound):
			// Resealed or changed by another run or an admin, or deleted.
		default:
			return n, fmt.Errorf("upstream: reseal the secret of connector %s: %w", c.ID, err)
		}
	}
	return n, nil
}
