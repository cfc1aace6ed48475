package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const exchangePolicyColumns = `client_id, subject_audiences, resources, scopes, impersonation, created_at, updated_at`

func scanExchangePolicy(row pgx.Row) (storage.ExchangePolicy, error) {
	var p storage.ExchangePolicy
	err := row.Scan(&p.ClientID, &p.SubjectAudiences, &p.Resources, &p.Scopes, &p.Impersonation, into(&p.CreatedAt), into(&p.UpdatedAt))
	return p, err
}

// CreateExchangePolicy implements storage.ExchangePolicies. An unknown
// client is refused by the foreign key: ErrNotFound.
func (s *Store) CreateExchangePolicy(ctx context.Context, p storage.ExchangePolicy) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.q(ctx).Exec(ctx, `INSERT INTO exchange_policies (`+exchangePolicyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ClientID, scopesOf(p.SubjectAudiences), scopesOf(p.Resources), scopesOf(p.Scopes), p.Impersonation, ts(p.CreatedAt), ts(p.UpdatedAt))
	return wrap(err, "create exchange policy %s", p.ClientID)
}

// GetExchangePolicy implements storage.ExchangePolicies.
func (s *Store) GetExchangePolicy(ctx context.Context, clientID string) (storage.ExchangePolicy, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	p, err := scanExchangePolicy(s.q(ctx).QueryRow(ctx, `SELECT `+exchangePolicyColumns+` FROM exchange_policies WHERE client_id = $1`, clientID))
	if err != nil {
		return storage.ExchangePolicy{}, wrap(err, "get exchange policy %s", clientID)
	}
	return p, nil
}

// ListExchangePolicies implements storage.ExchangePolicies.
func (s *Store) ListExchangePolicies(ctx context.Context) ([]storage.ExchangePolicy, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `SELECT `+exchangePolicyColumns+` FROM exchange_policies ORDER BY client_id`)
	return collect(rows, err, scanExchangePolicy, "list exchange policies")
}

// UpdateExchangePolicy implements storage.ExchangePolicies.
func (s *Store) UpdateExchangePolicy(ctx context.Context, p storage.ExchangePolicy) error {
	return s.updateOne(ctx, "update exchange policy "+p.ClientID,
		`UPDATE exchange_policies SET subject_audiences = $2, resources = $3, scopes = $4, impersonation = $5, updated_at = $6 WHERE client_id = $1`,
		p.ClientID, scopesOf(p.SubjectAudiences), scopesOf(p.Resources), scopesOf(p.Scopes), p.Impersonation, ts(p.UpdatedAt))
}

// DeleteExchangePolicy implements storage.ExchangePolicies.
func (s *Store) DeleteExchangePolicy(ctx context.Context, clientID string) error {
	return s.deleteOne(ctx, "delete exchange policy "+clientID, `DELETE FROM exchange_policies WHERE client_id = $1`, clientID)
}
