package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tokenim/tokenim-auth/storage"
)

// selectClients reads clients with their secrets in one statement, however
// many clients: each client's secrets arrive as parallel arrays in their
// stored order (NULL when it has none).
const selectClients = `
SELECT c.id, c.name, c.type, c.redirect_uris, c.post_logout_redirect_uris,
       c.grant_types, c.scopes, c.audience, c.token_endpoint_auth_method,
       c.jwks_uri, c.skip_consent, c.owner_id, c.description, c.logo_uri, c.requested_scopes, c.token_endpoint_auth_signing_alg, c.created_at, c.updated_at,
       c.disabled, c.require_par, c.access_token_format, c.backchannel_logout_uri, c.backchannel_logout_session_required,
       c.refresh_reuse_window_ns, c.id_token_signed_response_alg, c.allowed_origins, c.workspace_id,
       c.registered_at, c.registration_token_hash, c.registration_initial_token, c.client_uri, c.policy_uri, c.tos_uri,
       c.contacts, c.software_id, c.software_version, c.dpop_bound_access_tokens,
       c.introspection_signed_response_alg, c.introspection_encrypted_response_alg, c.introspection_encrypted_response_enc,
       s.ids, s.hashes, s.prefixes, s.created, s.expires, s.used
FROM clients c
LEFT JOIN (
    SELECT client_id,
           array_agg(id ORDER BY position)         AS ids,
           array_agg(hash ORDER BY position)       AS hashes,
           array_agg(prefix ORDER BY position)     AS prefixes,
           array_agg(created_at ORDER BY position) AS created,
           array_agg(expires_at ORDER BY position) AS expires,
           array_agg(last_used_at ORDER BY position) AS used
    FROM client_secrets
    GROUP BY client_id
) s ON s.client_id = c.id`

func scanClient(row pgx.Row) (storage.Client, error) {
	var (
		c                storage.Client
		ids, prefixes    []string
		hashes           [][]byte
		created, expires []pgtype.Timestamptz
		used             []pgtype.Timestamptz
		reuseWindow      *int64
		r                storage.ClientRegistration
	)
	err := row.Scan(&c.ID, &c.Name, &c.Type, &c.RedirectURIs, &c.PostLogoutRedirectURIs,
		&c.GrantTypes, &c.Scopes, &c.Audience, &c.TokenEndpointAuthMethod,
		&c.JWKSURI, &c.SkipConsent, &c.OwnerID, &c.Description, &c.LogoURI, &c.RequestedScopes, &c.TokenEndpointAuthSigningAlg, into(&c.CreatedAt), into(&c.UpdatedAt),
		&c.Disabled, &c.RequirePAR, &c.AccessTokenFormat, &c.BackchannelLogoutURI, &c.BackchannelLogoutSessionRequired,
		&reuseWindow, &c.IDTokenSignedResponseAlg, &c.AllowedOrigins, &c.WorkspaceID,
		into(&r.At), &r.AccessTokenHash, &r.InitialTokenID, &r.ClientURI, &r.PolicyURI, &r.TOSURI,
		&r.Contacts, &r.SoftwareID, &r.SoftwareVersion, &c.DPoPBoundAccessTokens,
		&c.IntrospectionSignedResponseAlg, &c.IntrospectionEncryptedResponseAlg, &c.IntrospectionEncryptedResponseEnc,
		&ids, &hashes, &prefixes, &created, &expires, &used)
	if err != nil {
		return storage.Client{}, err
	}
	if reuseWindow != nil {
		c.RefreshReuseWindow = new(time.Duration(*reuseWindow))
	}
	c.RedirectURIs = listOf(c.RedirectURIs)
	c.PostLogoutRedirectURIs = listOf(c.PostLogoutRedirectURIs)
	c.GrantTypes = listOf(c.GrantTypes)
	c.Scopes = listOf(c.Scopes)
	c.Audience = listOf(c.Audience)
	c.RequestedScopes = listOf(c.RequestedScopes)
	c.AllowedOrigins = listOf(c.AllowedOrigins)
	r.Contacts = listOf(r.Contacts)
	c.Registration = r
	for i := range ids {
		c.Secrets = append(c.Secrets, storage.ClientSecret{
			ID:         ids[i],
			Hash:       hashes[i],
			Prefix:     prefixes[i],
			CreatedAt:  timeOf(created[i]),
			ExpiresAt:  timeOf(expires[i]),
			LastUsedAt: timeOf(used[i]),
		})
	}
	return c, nil
}

const insertClient = `
INSERT INTO clients (id, name, type, redirect_uris, post_logout_redirect_uris,
                     grant_types, scopes, audience, token_endpoint_auth_method,
                     jwks_uri, skip_consent, created_at, updated_at, owner_id, description, logo_uri, requested_scopes,
                     token_endpoint_auth_signing_alg, disabled, require_par, access_token_format,
                     backchannel_logout_uri, backchannel_logout_session_required, refresh_reuse_window_ns,
                     id_token_signed_response_alg, allowed_origins, workspace_id,
                     registered_at, registration_token_hash, registration_initial_token, client_uri, policy_uri, tos_uri,
                     contacts, software_id, software_version, dpop_bound_access_tokens,
                     introspection_signed_response_alg, introspection_encrypted_response_alg, introspection_encrypted_response_enc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,
        $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40)`

const updateClient = `
UPDATE clients
SET name = $2, type = $3, redirect_uris = $4, post_logout_redirect_uris = $5,
    grant_types = $6, scopes = $7, audience = $8, token_endpoint_auth_method = $9,
    jwks_uri = $10, skip_consent = $11, created_at = $12, updated_at = $13,
    owner_id = $14, description = $15, logo_uri = $16, requested_scopes = $17,
    token_endpoint_auth_signing_alg = $18, disabled = $19, require_par = $20,
    access_token_format = $21, backchannel_logout_uri = $22, backchannel_logout_session_required = $23,
    refresh_reuse_window_ns = $24, id_token_signed_response_alg = $25, allowed_origins = $26,
    workspace_id = $27, registered_at = $28, registration_token_hash = $29, registration_initial_token = $30,
    client_uri = $31, policy_uri = $32, tos_uri = $33, contacts = $34, software_id = $35, software_version = $36,
    dpop_bound_access_tokens = $37, introspection_signed_response_alg = $38,
    introspection_encrypted_response_alg = $39, introspection_encrypted_response_enc = $40
WHERE id = $1`

// clientArgs returns c's columns in the order of insertClient and
// updateClient.
func clientArgs(c storage.Client) []any {
	r := c.Registration
	return []any{c.ID, c.Name, c.Type, list(c.RedirectURIs), list(c.PostLogoutRedirectURIs),
		list(c.GrantTypes), list(c.Scopes), list(c.Audience), c.TokenEndpointAuthMethod,
		c.JWKSURI, c.SkipConsent, ts(c.CreatedAt), ts(c.UpdatedAt), c.OwnerID, c.Description, c.LogoURI, list(c.RequestedScopes),
		c.TokenEndpointAuthSigningAlg, c.Disabled, c.RequirePAR, c.AccessTokenFormat,
		c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired, nanoseconds(c.RefreshReuseWindow),
		c.IDTokenSignedResponseAlg, list(c.AllowedOrigins), c.WorkspaceID,
		ts(r.At), r.AccessTokenHash, r.InitialTokenID, r.ClientURI, r.PolicyURI, r.TOSURI,
		list(r.Contacts), r.SoftwareID, r.SoftwareVersion, c.DPoPBoundAccessTokens,
		c.IntrospectionSignedResponseAlg, c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc}
}

// nanoseconds is d as a bigint argument: NULL for nil.
func nanoseconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	return new(int64(*d))
}

// insertSecrets stores a client's secrets in one statement, numbering them
// in the order given.
const insertSecrets = `
INSERT INTO client_secrets (client_id, id, position, hash, prefix, created_at, expires_at, last_used_at)
SELECT $1, s.id, s.position, s.hash, s.prefix, s.created_at, s.expires_at, s.last_used_at
FROM unnest($2::text[], $3::bytea[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])
     WITH ORDINALITY AS s (id, hash, prefix, created_at, expires_at, last_used_at, position)`

func writeSecrets(ctx context.Context, q querier, clientID string, secrets []storage.ClientSecret) error {
	if len(secrets) == 0 {
		return nil
	}
	ids := make([]string, len(secrets))
	hashes := make([][]byte, len(secrets))
	prefixes := make([]string, len(secrets))
	created := make([]pgtype.Timestamptz, len(secrets))
	expires := make([]pgtype.Timestamptz, len(secrets))
	used := make([]pgtype.Timestamptz, len(secrets))
	for i, sec := range secrets {
		ids[i], hashes[i], prefixes[i] = sec.ID, sec.Hash, sec.Prefix
		created[i], expires[i], used[i] = ts(sec.CreatedAt), ts(sec.ExpiresAt), ts(sec.LastUsedAt)
	}
	_, err := q.Exec(ctx, insertSecrets, clientID, ids, hashes, prefixes, created, expires, used)
	return err
}

// CreateClient implements storage.Clients.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.atomic(ctx, "create client "+c.ID, func(q querier) error {
		if _, err := q.Exec(ctx, insertClient, clientArgs(c)...); err != nil {
			return wrap(err, "create client %s", c.ID)
		}
		if err := writeSecrets(ctx, q, c.ID, c.Secrets); err != nil {
			return wrap(err, "create client %s: secrets", c.ID)
		}
		return nil
	})
}

// GetClient implements storage.Clients.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := scanClient(s.q(ctx).QueryRow(ctx, selectClients+` WHERE c.id = $1`, id))
	if err != nil {
		return storage.Client{}, wrap(err, "get client %s", id)
	}
	return c, nil
}

// ListClients implements storage.Clients.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectClients+` ORDER BY c.id`)
	if err != nil {
		return nil, wrap(err, "list clients")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.Client, error) {
		return scanClient(row)
	})
	if err != nil {
		return nil, wrap(err, "list clients")
	}
	return out, nil
}

// UpdateClient implements storage.Clients: the row is locked (SELECT … FOR
// UPDATE) until the transaction ends, so concurrent updates queue up, and
// the secrets are replaced by the updated list.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) (storage.Client, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var next storage.Client
	err := s.atomic(ctx, "update client "+id, func(q querier) error {
		if err := lockRow(ctx, q, `SELECT 1 FROM clients WHERE id = $1 FOR UPDATE`, id); err != nil {
			return wrap(err, "update client %s", id)
		}
		old, err := scanClient(q.QueryRow(ctx, selectClients+` WHERE c.id = $1`, id))
		if err != nil {
			return wrap(err, "update client %s: read", id)
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("postgres: update client %s: the ID cannot change (got %q)", id, next.ID)
		}
		if _, err := q.Exec(ctx, updateClient, clientArgs(next)...); err != nil {
			return wrap(err, "update client %s", id)
		}
		if _, err := q.Exec(ctx, `DELETE FROM client_secrets WHERE client_id = $1`, id); err != nil {
			return wrap(err, "update client %s: remove secrets", id)
		}
		if err := writeSecrets(ctx, q, id, next.Secrets); err != nil {
			return wrap(err, "update client %s: secrets", id)
		}
		return nil
	})
	if err != nil {
		return storage.Client{}, err
	}
	return next, nil
}

// TouchClientSecret implements storage.Clients: one conditional UPDATE
// that writes only when the recorded use is a minute old or more.
func (s *Store) TouchClientSecret(ctx context.Context, clientID, secretID string, at time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.q(ctx).Exec(ctx, `
		UPDATE client_secrets SET last_used_at = $3
		WHERE client_id = $1 AND id = $2
		  AND (last_used_at IS NULL OR last_used_at <= $3::timestamptz - interval '1 minute')`,
		clientID, secretID, at)
	return wrap(err, "record the use of a secret of client %s", clientID)
}

// DeleteClient implements storage.Clients. Its secrets, tokens, consents
// and flows go with it (ON DELETE CASCADE).
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM clients WHERE id = $1`, id)
	if err != nil {
		return wrap(err, "delete client %s", id)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete client %s: %w", id, storage.ErrNotFound)
	}
	return nil
}

// lockRow runs a SELECT … FOR UPDATE of one row: pgx.ErrNoRows when the
// row is absent.
func lockRow(ctx context.Context, q querier, sql string, args ...any) error {
	var one int
	return q.QueryRow(ctx, sql, args...).Scan(&one)
}
