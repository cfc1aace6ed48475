package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/storage"
)

// Actions recorded. The set is closed: Actions lists them all, and the
// console offers them as a filter.
const (
	SignIn             = "signin"                // success, or failure with the reason
	SignOut            = "signout"               // a browser session ended by its user
	SignOutEverywhere  = "signout.all"           // every session of a user ended
	Lockout            = "lockout"               // failures crossed the threshold: sign-in refused for a while
	MFAEnrolled        = "mfa.enrolled"          // TOTP turned on
	MFADisabled        = "mfa.disabled"          // TOTP turned off by its user
	MFAReset           = "mfa.reset"             // TOTP removed by an admin
	MFARecoveryRenewed = "mfa.recovery_renewed"  // a new set of recovery codes, the old ones void
	PasskeyRegistered  = "passkey.registered"    // a passkey added to an account (Detail: passkey, name)
	PasskeyRenamed     = "passkey.renamed"       // Detail: passkey, name_before, name
	PasskeyRemoved     = "passkey.removed"       // by its user or an admin (Detail: passkey, name)
	PasskeyCloned      = "passkey.cloned"        // a passkey's signature counter went back: the sign-in refused (Detail: passkey)
	PasswordChanged    = "user.password_changed" // by its signed-in user; the other sessions ended
	ConsentGranted     = "consent.granted"       // a user let an app have scopes
	ConsentWithdrawn   = "consent.withdrawn"     // a grant withdrawn, its tokens revoked
	TokenIssued        = "token.issued"          // an access token (grant type in Detail); never the token
	TokenRevoked       = "token.revoked"         // RFC 7009 revocation
	RefreshReuse       = "token.refresh_reuse"   // a rotated refresh token presented again: its family revoked
	AppCreated         = "app.created"
	AppChanged         = "app.changed"
	AppDeleted         = "app.deleted"
	SecretCreated      = "secret.created"
	SecretRotated      = "secret.rotated"
	SecretRevoked      = "secret.revoked"
	SecretExpired      = "secret.expired"
	RoleChanged        = "user.role_changed" // Detail: from, to
	UserCreated        = "user.created"
	UserActivated      = "user.activated"
	UserDisabled       = "user.disabled"
	UserEnabled        = "user.enabled"
	UserChanged        = "user.changed" // an admin changed the user's name (Detail: name_before, name)
	UserDeleted        = "user.deleted" // an account deleted, with its sessions, grants and tokens
	PasswordReset      = "user.password_reset"
	PasswordLinkSent   = "user.password_link_sent" // an admin had a link to choose a password mailed to the user
	AuditExported      = "audit.exported"          // an admin exported records
	LogoutNotified     = "logout.notified"         // a client told by back-channel logout that a session ended
	LogoutFailed       = "logout.failed"           // a back-channel logout notification given up

	// Signing in through an upstream identity provider (provider/login);
	// each names the connector in Detail.
	UpstreamSignIn     = "upstream.signin"      // the upstream's answer accepted (then signin follows), or refused with the reason
	UpstreamLinked     = "upstream.linked"      // an upstream identity linked to an account (Detail: connector, subject)
	UpstreamJITCreated = "upstream.jit_created" // an account created at a first upstream sign-in (Detail: connector, email, role)
	UpstreamUnlinked   = "upstream.unlinked"    // a linked upstream identity removed, by the user on the account page or by an admin (Detail: connector, subject)
	UpstreamLogout     = "upstream.logout"      // an upstream's back-channel logout ended the sessions it started (Detail: connector, subject, sid, sessions), or its token was refused
	UpstreamEndSession = "upstream.end_session" // our logout sent the browser to the upstream's end-session endpoint (Detail: connector), or could not (Reason: upstream_unavailable, state_too_long)

	// A workspace's life (provider/workspace); each names the workspace
	// (Event.WorkspaceID), and Subject is the member concerned.
	WorkspaceCreated   = "workspace.created"             // Detail: handle, name, owner
	WorkspaceUpdated   = "workspace.updated"             // Detail: what changed (name_before, name, handle_before, handle, policy)
	WorkspaceDeleted   = "workspace.deleted"             // Detail: handle, members
	MemberAdded        = "workspace.member_added"        // an admin made an account a member (Detail: role)
	MemberRoleChanged  = "workspace.role_changed"        // Detail: from, to
	MemberRemoved      = "workspace.member_removed"      // by an admin; the member's tokens of the workspace revoked
	MemberLeft         = "workspace.member_left"         // by the member; their tokens of the workspace revoked
	InvitationSent     = "workspace.invitation_sent"     // Detail: invitation, email, role, expires
	InvitationAccepted = "workspace.invitation_accepted" // the invitee joined (Detail: invitation, email, role)
	InvitationRevoked  = "workspace.invitation_revoked"  // Detail: invitation, email

	// Apps installed into a workspace (provider/install); each names the
	// workspace, the app (ClientID) and the installation (Subject, the
	// subject of its bot tokens), with the scopes installed.
	InstallRequested  = "install.requested"      // a member asked for the app: waiting for an admin (Detail: requested)
	AppInstalled      = "install.installed"      // installed at once by a member the policy lets (Detail: requested)
	InstallApproved   = "install.approved"       // an admin approved a request, perhaps narrowed (Detail: dropped)
	InstallDenied     = "install.denied"         // an admin refused a request (Reason; Detail: refused)
	InstallReapproval = "install.reapproval"     // the app asks more scopes than installed: re-approval needed (Detail: requested)
	AppUninstalled    = "install.uninstalled"    // removed; its tokens revoked (Detail: status)
	AppPreapproved    = "install.app_approved"   // an admin approved the app beforehand for members to install
	AppUnapproved     = "install.app_unapproved" // that approval withdrawn

	// A workspace's directory (SCIM provisioning, provider/scim); each
	// record's Detail names the workspace.
	SCIMTokenCreated    = "scim.token_created"    // Detail: token, name
	SCIMTokenRevoked    = "scim.token_revoked"    // Detail: token
	SCIMUserProvisioned = "scim.user_provisioned" // Detail: created ("true" for a new account, "false" for an existing one attached)
	SCIMUserChanged     = "scim.user_changed"     // externalId or name changed
	SCIMUserSuspended   = "scim.user_suspended"   // active=false: Detail: sessions_ended, tokens_revoked
	SCIMUserReactivated = "scim.user_reactivated" // active=true again
	SCIMUserRemoved     = "scim.user_removed"     // membership ended: Detail: sessions_ended, tokens_revoked
	SCIMGroupCreated    = "scim.group_created"    // Detail: group, name, members
	SCIMGroupChanged    = "scim.group_changed"    // Detail: group, name, added, removed
	SCIMGroupDeleted    = "scim.group_deleted"    // Detail: group, name

	// The connectors made in the admin console or the admin API
	// (provider/admin); each names the connector in Detail, never its
	// secret. An admin removing a user's linked identity there is
	// upstream.unlinked too, with the admin as actor.
	ConnectorCreated = "connector.created" // Detail: connector, kind, name, domains, secret ("set" or "none")
	ConnectorUpdated = "connector.updated" // Detail: connector, changed (the fields changed; "secret" for a new one), disabled
	ConnectorDeleted = "connector.deleted" // its linked identities removed too (Detail: connector, kind, name)

	// The protected resources (RFC 8707) made in the admin console or the
	// admin API (provider/admin); each names the resource in Detail.
	ResourceCreated = "resource.created" // Detail: resource, name, scopes
	ResourceUpdated = "resource.updated" // Detail: resource, changed (the fields changed), scopes
	ResourceDeleted = "resource.deleted" // Detail: resource, name

	// The token exchange policies (RFC 8693) made in the admin console or
	// the admin API (provider/admin); each names the client in Detail.
	ExchangePolicyCreated = "token_exchange_policy.created" // Detail: client, subject_audiences, resources, scopes, impersonation
	ExchangePolicyUpdated = "token_exchange_policy.updated" // Detail: client, changed (the fields changed), and the policy as it is now
	ExchangePolicyDeleted = "token_exchange_policy.deleted" // Detail: client

	// Webhook subscriptions (provider/webhooks) and what became of their
	// messages; each names the subscription in Detail, never its secret.
	// None of these is itself sent to a webhook.
	WebhookCreated       = "webhook.created"        // Detail: webhook, url, events
	WebhookUpdated       = "webhook.updated"        // Detail: webhook, url, events, disabled
	WebhookDeleted       = "webhook.deleted"        // Detail: webhook
	WebhookSecretRotated = "webhook.secret_rotated" // Detail: webhook, previous_until
	WebhookResent        = "webhook.resent"         // a finished message queued again (Detail: webhook, message)
	WebhookDelivered     = "webhook.delivered"      // Detail: webhook, message, event, attempts, http_status
	WebhookFailed        = "webhook.failed"         // given up (Reason; Detail: webhook, message, event, attempts, http_status)

	// Dynamic client registration (provider/registration, RFC 7591 and
	// RFC 7592): the app that registered itself is the actor of its own
	// registration, update and deletion; an initial access token's ID is
	// in Detail, never the token.
	AppRegistered            = "app.registered"             // Detail: name, type, initial_token (empty for an open registration), requested_scopes
	AppRegistrationUpdated   = "app.registration_updated"   // its metadata replaced, its registration access token rotated (Detail: name, requested_scopes)
	AppRegistrationDeleted   = "app.registration_deleted"   // by the app itself; its tokens and grants go with it (Detail: name)
	RegistrationTokenCreated = "registration_token.created" // an initial access token issued (Detail: token, name, max_uses, expires)
	RegistrationTokenRevoked = "registration_token.revoked" // Detail: token
)

// Actions returns every action, in a stable order.
func Actions() []string {
	return []string{
		SignIn, SignOut, SignOutEverywhere, Lockout, MFAEnrolled, MFADisabled, MFAReset, MFARecoveryRenewed,
		PasskeyRegistered, PasskeyRenamed, PasskeyRemoved, PasskeyCloned,
		ConsentGranted, ConsentWithdrawn, TokenIssued, TokenRevoked, RefreshReuse,
		AppCreated, AppChanged, AppDeleted, SecretCreated, SecretRotated, SecretRevoked, SecretExpired,
		RoleChanged, UserCreated, UserActivated, UserDisabled, UserEnabled, UserChanged, UserDeleted, PasswordReset, PasswordChanged, PasswordLinkSent, AuditExported,
		LogoutNotified, LogoutFailed, UpstreamSignIn, UpstreamLinked, UpstreamJITCreated, UpstreamUnlinked, UpstreamLogout, UpstreamEndSession,
		WorkspaceCreated, WorkspaceUpdated, WorkspaceDeleted, MemberAdded, MemberRoleChanged, MemberRemoved, MemberLeft,
		InvitationSent, InvitationAccepted, InvitationRevoked,
		InstallRequested, AppInstalled, InstallApproved, InstallDenied, InstallReapproval, AppUninstalled, AppPreapproved, AppUnapproved,
		SCIMTokenCreated, SCIMTokenRevoked, SCIMUserProvisioned, SCIMUserChanged, SCIMUserSuspended, SCIMUserReactivated,
		SCIMUserRemoved, SCIMGroupCreated, SCIMGroupChanged, SCIMGroupDeleted,

		ConnectorCreated, ConnectorUpdated, ConnectorDeleted,
		ResourceCreated, ResourceUpdated, ResourceDeleted,
		ExchangePolicyCreated, ExchangePolicyUpdated, ExchangePolicyDeleted,
		WebhookCreated, WebhookUpdated, WebhookDeleted, WebhookSecretRotated, WebhookResent, WebhookDelivered, WebhookFailed,
		AppRegistered, AppRegistrationUpdated, AppRegistrationDeleted, RegistrationTokenCreated, RegistrationTokenRevoked,
	}
}

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
)

// Actor types.
const (
	ActorUser      = "user"      // a signed-in user (ActorID is the user's ID)
	ActorClient    = "client"    // an app authenticated as itself (ActorID is its client ID)
	ActorCLI       = "cli"       // an operator's tokenim-auth command
	ActorSystem    = "system"    // the provider itself (the janitor)
	ActorAnonymous = "anonymous" // a browser not signed in
	ActorSCIM      = "scim"      // a workspace's directory (ActorID is its SCIM token's ID)
)

// Event is what a caller knows of an event; the Recorder adds the time
// and the request's IP, user agent and ID.
type Event struct {
	Action    string
	Outcome   string // Success when empty
	Reason    string
	ActorType string // ActorAnonymous when empty
	ActorID   string
	Subject   string
	ClientID  string
	// WorkspaceID is the workspace the event concerns, or empty.
	WorkspaceID string
	Scopes      []string
	Detail      map[string]string
}

// Actor is who makes a change: its ActorType and ActorID.
type Actor struct {
	Type string
	ID   string
}

// On returns e with a as its actor.
func (a Actor) On(e Event) Event {
	e.ActorType, e.ActorID = a.Type, a.ID
	return e
}

// ByUser returns e with a user as its actor.
func (e Event) ByUser(id string) Event { e.ActorType, e.ActorID = ActorUser, id; return e }

// ByClient returns e with an app as its actor.
func (e Event) ByClient(id string) Event { e.ActorType, e.ActorID = ActorClient, id; return e }

// Outbox queues what a record sets off outside the provider (webhook
// messages, provider/webhooks), in the transaction that appends it.
type Outbox interface {
	// Queues reports whether a record of action may queue anything: the
	// Recorder asks before it opens a transaction for Enqueue.
	Queues(action string) bool
	// Enqueue queues what rec sets off, in the transaction ctx carries:
	// an error fails the change rec records.
	Enqueue(ctx context.Context, rec storage.AuditRecord) error
}

// Recorder appends records.
type Recorder struct {
	store  storage.Audit
	now    func() time.Time
	logger *slog.Logger
	// appended, when set, is told after each append (the sealer's Kick).
	appended func()
	outbox   Outbox
}

// RecorderConfig is what a Recorder is built from.
type RecorderConfig struct {
	Store  storage.Audit
	Now    func() time.Time
	Logger *slog.Logger
	// Appended, when set, is called after each record is appended: the
	// Sealer's Kick.
	Appended func()
	// Outbox, when set, is handed each record of an action it Queues
	// right after it is appended, in the same transaction: when the
	// caller has none, Record opens one (Store must then also be a
	// storage.Transactor), so that a record and what it queues are stored
	// together or not at all. Records stored by the store itself
	// (CreateTokenRecorded: token.issued) do not pass through it.
	Outbox Outbox
}

// NewRecorder returns a recorder.
func NewRecorder(c RecorderConfig) *Recorder {
	c.Now, c.Logger = defaults.Now(c.Now), defaults.Logger(c.Logger)
	return &Recorder{store: c.Store, now: c.Now, logger: c.Logger, appended: c.Appended, outbox: c.Outbox}
}

// Record appends the record of e, in the transaction ctx carries if any:
// an error then fails the change it records.
func (r *Recorder) Record(ctx context.Context, e Event) error {
	if r == nil {
		return nil
	}
	rec := r.Build(ctx, e)
	if r.outbox == nil || !r.outbox.Queues(rec.Action) {
		if err := r.append(ctx, &rec); err != nil {
			return err
		}
		r.Appended()
		return nil
	}
	err := r.inTx(ctx, func(ctx context.Context) error {
		if err := r.append(ctx, &rec); err != nil {
			return err
		}
		if err := r.outbox.Enqueue(ctx, rec); err != nil {
			return fmt.Errorf("audit: record %s: queue: %w", e.Action, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Appended()
	return nil
}

// append stores rec and sets its ID.
func (r *Recorder) append(ctx context.Context, rec *storage.AuditRecord) error {
	id, err := r.store.AppendAudit(ctx, *rec)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", rec.Action, err)
	}
	rec.ID = id
	return nil
}

// inTx runs fn in the transaction ctx carries, or in one of its own when
// ctx carries none.
func (r *Recorder) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	tx, ok := r.store.(storage.Transactor)
	if !ok {
		return fn(ctx)
	}
	txCtx, err := tx.BeginTx(ctx)
	if errors.Is(err, storage.ErrNestedTx) {
		return fn(ctx)
	}
	if err != nil {
		return fmt.Errorf("audit: begin transaction: %w", err)
	}
	if err := fn(txCtx); err != nil {
		if rbErr := tx.Rollback(txCtx); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(txCtx); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction of tx and records the events it returns
// in the same one: the change and its records are stored, or neither. A
// nil Recorder runs fn and records nothing.
func (r *Recorder) InTx(ctx context.Context, tx storage.Transactor, fn func(ctx context.Context) ([]Event, error)) error {
	return storage.InTx(ctx, tx, func(ctx context.Context) error {
		events, err := fn(ctx)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := r.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// Build returns the record of e for a store write that appends it
// itself (storage.Tokens.CreateTokenRecorded); call Appended once it is
// stored.
func (r *Recorder) Build(ctx context.Context, e Event) storage.AuditRecord {
	return storage.AuditRecord{
		Time:        r.now().UTC().Truncate(time.Microsecond),
		Action:      e.Action,
		Outcome:     cmp.Or(e.Outcome, Success),
		Reason:      e.Reason,
		ActorType:   cmp.Or(e.ActorType, ActorAnonymous),
		ActorID:     e.ActorID,
		Subject:     e.Subject,
		ClientID:    e.ClientID,
		WorkspaceID: e.WorkspaceID,
		Scopes:      slices.Clone(e.Scopes),
		ClientIP:    reqctx.ClientIP(ctx),
		UserAgent:   reqctx.UserAgent(ctx),
		RequestID:   reqctx.RequestID(ctx),
		Detail:      maps.Clone(e.Detail),
	}
}

// Appended tells the recorder a record was stored (the sealer's nudge).
func (r *Recorder) Appended() {
	if r != nil && r.appended != nil {
		r.appended()
	}
}

// Try records e where no transaction depends on it (a refused sign-in):
// a failure is logged as an error, not returned.
func (r *Recorder) Try(ctx context.Context, e Event) {
	if err := r.Record(ctx, e); err != nil {
		r.logger.ErrorContext(ctx, "authorization record lost", "action", e.Action, "err", err)
	}
}
