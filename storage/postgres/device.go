package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectDevices = `
SELECT device_code_signature, user_code_signature, request_id, client_id, scopes, client_ip, user_agent,
       status, interval_ms, last_polled_at, user_id, granted_scopes, login_session_id, auth_time, amr, acr,
       decided_at, created_at, expires_at, workspace_id, resources
FROM device_authorizations`

func scanDevice(row pgx.Row) (storage.DeviceAuthorization, error) {
	var d storage.DeviceAuthorization
	var status string
	var intervalMS int64
	err := row.Scan(&d.DeviceCodeSignature, &d.UserCodeSignature, &d.RequestID, &d.ClientID, &d.Scopes, &d.ClientIP, &d.UserAgent,
		&status, &intervalMS, into(&d.LastPolledAt), &d.UserID, &d.GrantedScopes, &d.LoginSessionID, into(&d.AuthTime), &d.AMR, &d.ACR,
		into(&d.DecidedAt), into(&d.CreatedAt), into(&d.ExpiresAt), &d.WorkspaceID, &d.Resources)
	d.Status, d.Interval = storage.DeviceStatus(status), time.Duration(intervalMS)*time.Millisecond
	d.Scopes, d.GrantedScopes, d.AMR, d.Resources = listOf(d.Scopes), listOf(d.GrantedScopes), listOf(d.AMR), listOf(d.Resources)
	return d, err
}

// CreateDeviceAuthorization implements storage.DeviceAuthorizations: a
// taken signature is refused by the primary key or the unique user code
// (ErrAlreadyExists), an unknown client by the foreign key (ErrNotFound).
func (s *Store) CreateDeviceAuthorization(ctx context.Context, d storage.DeviceAuthorization) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create device authorization", func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO device_authorizations (device_code_signature, user_code_signature, request_id, client_id, scopes,
				client_ip, user_agent, status, interval_ms, last_polled_at, user_id, granted_scopes, login_session_id,
				auth_time, amr, acr, decided_at, created_at, expires_at, workspace_id, resources)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			d.DeviceCodeSignature, d.UserCodeSignature, d.RequestID, d.ClientID, list(d.Scopes),
			d.ClientIP, d.UserAgent, string(d.Status), d.Interval.Milliseconds(), ts(d.LastPolledAt), d.UserID, list(d.GrantedScopes), d.LoginSessionID,
			ts(d.AuthTime), list(d.AMR), d.ACR, ts(d.DecidedAt), ts(d.CreatedAt), ts(d.ExpiresAt), d.WorkspaceID, list(d.Resources))
		return wrap(err, "create device authorization of client %s", d.ClientID)
	})
}

// GetDeviceAuthorization implements storage.DeviceAuthorizations.
func (s *Store) GetDeviceAuthorization(ctx context.Context, deviceCodeSignature string) (storage.DeviceAuthorization, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	d, err := scanDevice(s.q(ctx).QueryRow(ctx, selectDevices+` WHERE device_code_signature = $1`, deviceCodeSignature))
	if err != nil {
		return storage.DeviceAuthorization{}, wrap(err, "get device authorization")
	}
	return d, nil
}

// GetDeviceAuthorizationByUserCode implements storage.DeviceAuthorizations.
func (s *Store) GetDeviceAuthorizationByUserCode(ctx context.Context, userCodeSignature string) (storage.DeviceAuthorization, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	d, err := scanDevice(s.q(ctx).QueryRow(ctx, selectDevices+` WHERE user_code_signature = $1`, userCodeSignature))
	if err != nil {
		return storage.DeviceAuthorization{}, wrap(err, "get device authorization by user code")
	}
	return d, nil
}

// UpdateDeviceAuthorization implements storage.DeviceAuthorizations:
// SELECT … FOR UPDATE, update, write, in one transaction (or a savepoint
// of the caller's).
func (s *Store) UpdateDeviceAuthorization(ctx context.Context, deviceCodeSignature string, update func(storage.DeviceAuthorization) (storage.DeviceAuthorization, error)) (storage.DeviceAuthorization, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var next storage.DeviceAuthorization
	err := s.atomic(ctx, "update device authorization", func(q querier) error {
		old, err := scanDevice(q.QueryRow(ctx, selectDevices+` WHERE device_code_signature = $1 FOR UPDATE`, deviceCodeSignature))
		if err != nil {
			return wrap(err, "update device authorization")
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.DeviceCodeSignature != old.DeviceCodeSignature || next.UserCodeSignature != old.UserCodeSignature {
			return fmt.Errorf("postgres: update device authorization: the signatures cannot change")
		}
		_, err = q.Exec(ctx, `
			UPDATE device_authorizations
			SET request_id = $2, client_id = $3, scopes = $4, client_ip = $5, user_agent = $6, status = $7, interval_ms = $8,
			    last_polled_at = $9, user_id = $10, granted_scopes = $11, login_session_id = $12, auth_time = $13, amr = $14,
			    acr = $15, decided_at = $16, created_at = $17, expires_at = $18, workspace_id = $19, resources = $20
			WHERE device_code_signature = $1`,
			deviceCodeSignature, next.RequestID, next.ClientID, list(next.Scopes), next.ClientIP, next.UserAgent, string(next.Status),
			next.Interval.Milliseconds(), ts(next.LastPolledAt), next.UserID, list(next.GrantedScopes), next.LoginSessionID,
			ts(next.AuthTime), list(next.AMR), next.ACR, ts(next.DecidedAt), ts(next.CreatedAt), ts(next.ExpiresAt), next.WorkspaceID,
			list(next.Resources))
		return wrap(err, "update device authorization")
	})
	if err != nil {
		return storage.DeviceAuthorization{}, err
	}
	return next, nil
}
