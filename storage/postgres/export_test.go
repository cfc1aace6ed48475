package postgres

import (
	"context"

	"github.com/tokenim/tokenim-auth/storage"
)

// Test hooks: step the goose provider that Migrate uses.

// MigrationVersions returns the embedded migrations' versions, oldest
// first.
func (s *Store) MigrationVersions(ctx context.Context) ([]int64, error) {
	p, err := s.migrations(ctx)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	var out []int64
	for _, src := range p.ListSources() {
		out = append(out, src.Version)
	}
	return out, nil
}

// MigrateUpTo applies the pending migrations up to version.
func (s *Store) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.UpTo(ctx, version)
	return err
}

// MigrateDownTo rolls back the applied migrations newer than version.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.DownTo(ctx, version)
	return err
}

// PurgeStatement returns the statement Purge runs for area.
func PurgeStatement(area storage.PurgeArea) string {
	table, column, _ := purgeTarget(area)
	return purgeStatement(table, column)
}

// WriteIssuedBatch writes tokens with their records as one batch of the
// group commit, as if they had been issued at once, and returns each one's
// outcome.
func (s *Store) WriteIssuedBatch(ctx context.Context, tokens []storage.Token, records []storage.AuditRecord) []error {
	batch := make([]*issueItem, len(tokens))
	for i := range tokens {
		batch[i] = &issueItem{t: tokens[i], r: records[i]}
	}
	return s.writeIssued(ctx, batch)
}

// SetIssueSlots sets how many batches of issuances are written at once: as
// many as there are concurrent issuances turns group commit off, each
// written alone.
func (s *Store) SetIssueSlots(n int) { s.issuer.slots = n }
