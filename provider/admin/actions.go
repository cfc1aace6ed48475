package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// The changes an administrator makes, shared by the JSON API and the
// console: each one runs in one transaction with its authorization record,
// so that no change lands unrecorded and no record tells of a change that
// rolled back.

// Errors the actions return for a request that cannot be carried out.
var (
	// ErrUnknownRole: the role is not in the configuration.
	ErrUnknownRole = errors.New("unknown role")
	// ErrBadStatus: a user's status can only be set to active or disabled.
	ErrBadStatus = errors.New(`status must be "active" or "disabled"`)
	// ErrUnknownScope: the scope is not in the catalogue.
	ErrUnknownScope = errors.New("unknown scope")
	// ErrAdminScopeOfOwnedApp: the admin scope is never given to an app a
	// developer registered (see grantable).
	ErrAdminScopeOfOwnedApp = errors.New("the admin scope is not given to an app a developer registered: its developer holds its secret")
)

// Actor is who makes a change: the app calling the JSON API, or the
// administrator signed in to the console.
type Actor = audit.Actor

// ByClient is an app calling the JSON API with an admin token.
func ByClient(clientID string) Actor { return Actor{Type: audit.ActorClient, ID: clientID} }

// ByUser is an administrator signed in to the console.
func ByUser(userID string) Actor { return Actor{Type: audit.ActorUser, ID: userID} }

// UserChange is a change of a user's name, role or status; a nil field is
// left as it is.
type UserChange struct {
	Name   *string
	Role   *string
	Status *storage.UserStatus
}

// inTx runs fn and the records it returns in one transaction.
func (a *API) inTx(ctx context.Context, fn func(ctx context.Context) ([]audit.Event, error)) error {
	return a.cfg.Audit.InTx(ctx, a.cfg.Store, fn)
}

// roleScopes returns the scopes a role may grant, or ErrUnknownRole.
func (a *API) roleScopes(role string) ([]string, error) {
	i := slices.IndexFunc(a.cfg.Roles, func(x Role) bool { return x.Name == role })
	if i < 0 {
		return nil, fmt.Errorf("%w %s", ErrUnknownRole, strconv.Quote(role))
	}
	return a.cfg.Roles[i].Scopes, nil
}

// userName checks a display name an administrator gives a user and
// returns it trimmed.
func userName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > storage.MaxUserName {
		return "", &FieldError{Field: "name", Problem: fmt.Sprintf("at most %d characters", storage.MaxUserName)}
	}
	return name, nil
}

// ChangeUser changes a user's name, role or status. A lowered role
// revokes the tokens it no longer allows; disabling signs the user out
// everywhere and revokes every token. Each change that changes something
// is recorded (user.changed with the name before and after;
// user.role_changed with from and to; user.disabled, user.enabled, or
// user.activated for an account that was pending activation). A name
// longer than storage.MaxUserName is a FieldError.
func (a *API) ChangeUser(ctx context.Context, by Actor, id string, ch UserChange) (storage.User, error) {
	var allowed []string
	if ch.Role != nil {
		var err error
		if allowed, err = a.roleScopes(*ch.Role); err != nil {
			return storage.User{}, err
		}
	}
	if ch.Status != nil && *ch.Status != storage.UserActive && *ch.Status != storage.UserDisabled {
		return storage.User{}, ErrBadStatus
	}
	if ch.Name != nil {
		name, err := userName(*ch.Name)
		if err != nil {
			return storage.User{}, err
		}
		ch.Name = &name
	}
	var out storage.User
	err := a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var before storage.User
		u, err := a.cfg.Store.UpdateUser(ctx, id, func(u storage.User) (storage.User, error) {
			before = u
			if ch.Name != nil {
				u.Name = *ch.Name
			}
			if ch.Role != nil {
				u.Role = *ch.Role
			}
			if ch.Status != nil {
				u.Status = *ch.Status
			}
			u.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return u, nil
		})
		if err != nil {
			return nil, err
		}
		out = u
		var events []audit.Event
		if u.Name != before.Name {
			events = append(events, by.On(audit.Event{Action: audit.UserChanged, Subject: u.ID,
				Detail: map[string]string{"name_before": before.Name, "name": u.Name}}))
		}
		if u.Role != before.Role {
			if _, err := a.cfg.Store.RevokeSubjectBeyond(ctx, u.ID, allowed); err != nil {
				return nil, fmt.Errorf("revoke tokens beyond the role: %w", err)
			}
			events = append(events, by.On(audit.Event{Action: audit.RoleChanged, Subject: u.ID,
				Detail: map[string]string{"from": before.Role, "to": u.Role}}))
		}
		if u.Status == storage.UserDisabled {
			sessions, tokens, err := a.signOut(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			if before.Status != storage.UserDisabled {
				events = append(events, by.On(audit.Event{Action: audit.UserDisabled, Subject: u.ID,
					Detail: map[string]string{"sessions_ended": strconv.Itoa(sessions), "tokens_revoked": strconv.Itoa(tokens)}}))
			}
		} else if before.Status != u.Status {
			action := audit.UserEnabled
			if before.Status == storage.UserPending {
				// An account that never finished its activation, activated
				// by an administrator.
				action = audit.UserActivated
			}
			events = append(events, by.On(audit.Event{Action: action, Subject: u.ID}))
		}
		return events, nil
	})
	return out, err
}

// signOut ends every browser session of the user and revokes every token
// issued for them.
func (a *API) signOut(ctx context.Context, userID string) (sessions, tokens int, err error) {
	if sessions, err = a.cfg.Store.DeleteUserLoginSessions(ctx, userID); err != nil {
		return 0, 0, fmt.Errorf("end the user's sessions: %w", err)
	}
	if tokens, err = a.cfg.Store.RevokeSubject(ctx, userID, ""); err != nil {
		return 0, 0, fmt.Errorf("revoke the user's tokens: %w", err)
	}
	return sessions, tokens, nil
}

// SignOutEverywhere ends every session of the user and revokes every
// token issued for them (signout.all).
func (a *API) SignOutEverywhere(ctx context.Context, by Actor, userID string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if _, err := a.cfg.Store.GetUser(ctx, userID); err != nil {
			return nil, err
		}
		sessions, tokens, err := a.signOut(ctx, userID)
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.SignOutEverywhere, Subject: userID,
			Detail: map[string]string{"sessions_ended": strconv.Itoa(sessions), "tokens_revoked": strconv.Itoa(tokens)}})}, nil
	})
}

// ResetMFA turns the user's TOTP off and clears their recovery codes
// (mfa.reset): for someone who lost their phone. Their next sign-in asks
// them to enrol again if their role requires a second factor.
func (a *API) ResetMFA(ctx context.Context, by Actor, userID string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		_, err := a.cfg.Store.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) {
			u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = nil, false, 0, nil
			u.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return u, nil
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.MFAReset, Subject: userID})}, nil
	})
}

// grantable returns the scopes an administrator may give app c: the
// catalogue, but the admin scope for an app a developer registered
// (OwnerID set). Whoever holds an app's secret acts with its scopes, and
// a developer's app's secret is the developer's: with the admin scope it
// would make them an administrator. The console offers only these, and
// SetAppScopes refuses the others.
func (a *API) grantable(c storage.Client) []string {
	if c.OwnerID == "" && !c.SelfRegistered() {
		return a.cfg.Scopes
	}
	return slices.DeleteFunc(slices.Clone(a.cfg.Scopes), func(s string) bool { return s == a.cfg.AdminScope })
}

// checkScopes refuses a scope app c may not be given: one outside the
// catalogue is ErrUnknownScope, the admin scope for an app a developer
// registered ErrAdminScopeOfOwnedApp (grantable).
func (a *API) checkScopes(c storage.Client, scopes []string) error {
	for _, s := range scopes {
		switch {
		case !slices.Contains(a.cfg.Scopes, s):
			return fmt.Errorf("%w %s", ErrUnknownScope, strconv.Quote(s))
		case !slices.Contains(a.grantable(c), s):
			return ErrAdminScopeOfOwnedApp
		}
	}
	return nil
}

// SetAppScopes sets the scopes an app may obtain: how an administrator
// approves what a developer requested for a service. Requested scopes it
// grants stop being pending (app.changed, with the new scopes). A scope
// the app may not be given is refused (checkScopes).
func (a *API) SetAppScopes(ctx context.Context, by Actor, clientID string, scopes []string) (storage.Client, error) {
	var out storage.Client
	err := a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var before []string
		c, err := a.cfg.Store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
			if err := a.checkScopes(c, scopes); err != nil {
				return c, err
			}
			before = slices.Clone(c.Scopes)
			c.Scopes = slices.Clone(scopes)
			c.RequestedScopes = slices.DeleteFunc(c.RequestedScopes, func(s string) bool { return slices.Contains(scopes, s) })
			c.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return c, nil
		})
		if err != nil {
			return nil, err
		}
		out = c
		return []audit.Event{by.On(audit.Event{Action: audit.AppChanged, ClientID: c.ID, Scopes: c.Scopes,
			Detail: map[string]string{"scopes_before": strings.Join(before, " ")}})}, nil
	})
	return out, err
}

// SetAppDisabled disables an app (it can no longer authenticate or get
// tokens, and its tokens stop being active) or enables it again
// (app.changed, with Detail disabled "true" or "false").
func (a *API) SetAppDisabled(ctx context.Context, by Actor, clientID string, disabled bool) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		c, err := a.cfg.Store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
			c.Disabled = disabled
			c.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return c, nil
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.AppChanged, ClientID: c.ID,
			Detail: map[string]string{"disabled": strconv.FormatBool(disabled)}})}, nil
	})
}

// ErrUnknownFormat is returned by SetAppOptions for an access token
// format other than opaque or jwt.
var ErrUnknownFormat = errors.New("unknown access token format")

// FieldError is a value an action refuses: the field, as the API names
// it, and what is wrong with it.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// AppOptions are options of an app an administrator sets in one change; a
// nil option is left as it is.
type AppOptions struct {
	// AccessTokenFormat applies to the access tokens issued from now on.
	AccessTokenFormat *storage.AccessTokenFormat
	// RequirePAR makes the app push its authorization requests (RFC 9126).
	RequirePAR *bool
	// DPoPBoundAccessTokens makes the app send a DPoP proof with every
	// token request (RFC 9449 section 5.2); refused while DPoP is off.
	DPoPBoundAccessTokens *bool
	// BackchannelLogoutURI is where the app takes logout tokens (OpenID
	// Connect Back-Channel Logout 1.0); empty removes it.
	BackchannelLogoutURI *string
	// BackchannelLogoutSessionRequired says the app needs the sid claim;
	// only with a back-channel logout URI.
	BackchannelLogoutSessionRequired *bool
	// IDTokenSignedResponseAlg is the algorithm of the app's ID tokens
	// from now on, one of storage.IDTokenAlgs.
	IDTokenSignedResponseAlg *string
	// JWKSURI is where the app publishes its keys; empty removes it.
	JWKSURI *string
	// IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg
	// and IntrospectionEncryptedResponseEnc say how the app's signed
	// introspection answers are signed and encrypted (RFC 9701); empty
	// for the defaults (RS256, not encrypted).
	IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg, IntrospectionEncryptedResponseEnc *string
	// AllowedOrigins replaces the web origins a browser may call the
	// provider from for the app (CORS); an empty list removes them.
	AllowedOrigins *[]string
	// RefreshReuseWindow is the app's own refresh token reuse window, like
	// "10s"; empty for the provider's default.
	RefreshReuseWindow *string
}

// checkFormat refuses an access token format other than opaque or jwt.
func checkFormat(f storage.AccessTokenFormat) error {
	if !f.Known() {
		return fmt.Errorf("%w %q", ErrUnknownFormat, f)
	}
	return nil
}

// checkPAR refuses an app that requires pushed authorization requests
// but makes none: only the authorization code grant uses the
// authorization endpoint (RFC 9126 section 2), as the configuration's
// validation has it.
func checkPAR(c storage.Client) error {
	if c.RequirePAR && !slices.Contains(c.GrantTypes, "authorization_code") {
		return &FieldError{Field: "require_pushed_authorization_requests", Problem: "the app does not use the authorization code grant"}
	}
	return nil
}

// SetAppOptions sets o's options of an app (app.changed, with Detail
// access_token_format, require_par, dpop_bound_access_tokens,
// backchannel_logout_uri,
// backchannel_logout_session_required, id_token_signed_response_alg,
// jwks_uri, introspection_signed_response_alg,
// introspection_encrypted_response_alg, introspection_encrypted_response_enc,
// allowed_origins and refresh_token_reuse_window as set). Requiring pushed
// authorization requests of an app not using the authorization code grant,
// an ID token algorithm the provider keeps no key of, a back-channel
// logout URI, an origin or a reuse window the rules of every client
// (clientrules) refuse are each an FieldError.
func (a *API) SetAppOptions(ctx context.Context, by Actor, clientID string, o AppOptions) error {
	origins, window, err := a.checkOptions(o)
	if err != nil {
		return err
	}
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		detail := map[string]string{}
		c, err := a.cfg.Store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
			if o.AllowedOrigins != nil {
				c.AllowedOrigins = origins
				detail["allowed_origins"] = strings.Join(origins, " ")
			}
			if o.RefreshReuseWindow != nil {
				c.RefreshReuseWindow = window
				detail["refresh_token_reuse_window"] = c.ReuseWindowText()
			}
			if o.AccessTokenFormat != nil {
				c.AccessTokenFormat = *o.AccessTokenFormat
				detail["access_token_format"] = string(*o.AccessTokenFormat)
			}
			if o.RequirePAR != nil {
				c.RequirePAR = *o.RequirePAR
				detail["require_par"] = strconv.FormatBool(*o.RequirePAR)
			}
			if o.DPoPBoundAccessTokens != nil {
				c.DPoPBoundAccessTokens = *o.DPoPBoundAccessTokens
				detail["dpop_bound_access_tokens"] = strconv.FormatBool(*o.DPoPBoundAccessTokens)
			}
			if o.BackchannelLogoutURI != nil {
				c.BackchannelLogoutURI = *o.BackchannelLogoutURI
				detail["backchannel_logout_uri"] = *o.BackchannelLogoutURI
			}
			if o.BackchannelLogoutSessionRequired != nil {
				c.BackchannelLogoutSessionRequired = *o.BackchannelLogoutSessionRequired
				detail["backchannel_logout_session_required"] = strconv.FormatBool(*o.BackchannelLogoutSessionRequired)
			}
			if o.IDTokenSignedResponseAlg != nil {
				c.IDTokenSignedResponseAlg = *o.IDTokenSignedResponseAlg
				detail["id_token_signed_response_alg"] = *o.IDTokenSignedResponseAlg
			}
			for _, f := range keyFields(&o, &c) {
				if *f.option != nil {
					*f.field = strings.TrimSpace(**f.option)
					detail[f.name] = *f.field
				}
			}
			if err := a.checkKeys(c); err != nil {
				return c, err
			}
			if c.BackchannelLogoutSessionRequired && c.BackchannelLogoutURI == "" {
				return c, &FieldError{Field: "backchannel_logout_session_required", Problem: "the app has no backchannel_logout_uri"}
			}
			if err := checkPAR(c); err != nil {
				return c, err
			}
			c.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return c, nil
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.AppChanged, ClientID: c.ID, Detail: detail})}, nil
	})
}

// keyField is an option of an app's keys or introspection answers: its
// name, as the API names it, the option in an AppOptions and the field it
// sets in the app.
type keyField struct {
	name   string
	option **string
	field  *string
}

// keyFields are o's options of c's keys and introspection answers.
func keyFields(o *AppOptions, c *storage.Client) []keyField {
	return []keyField{
		{"jwks_uri", &o.JWKSURI, &c.JWKSURI},
		{"introspection_signed_response_alg", &o.IntrospectionSignedResponseAlg, &c.IntrospectionSignedResponseAlg},
		{"introspection_encrypted_response_alg", &o.IntrospectionEncryptedResponseAlg, &c.IntrospectionEncryptedResponseAlg},
		{"introspection_encrypted_response_enc", &o.IntrospectionEncryptedResponseEnc, &c.IntrospectionEncryptedResponseEnc},
	}
}

// checkKeys checks an app's jwks_uri and how its introspection answers
// are signed and encrypted, as it would be stored, by the rules of every
// client (clientrules): the first problem as a FieldError.
func (a *API) checkKeys(c storage.Client) error {
	problems := clientrules.JWKSProblems(c.TokenEndpointAuthMethod, c.JWKSURI, c.IntrospectionEncryptedResponseAlg, a.cfg.Dev)
	problems = append(problems, clientrules.IntrospectionProblems(c.Type == storage.ClientPublic, c.JWKSURI,
		c.IntrospectionSignedResponseAlg, c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc)...)
	if len(problems) > 0 {
		return &FieldError{Field: problems[0].Field, Problem: problems[0].Message}
	}
	return nil
}

// checkOptions checks o's options that depend on nothing stored, and
// returns its allowed origins (as stored) and reuse window.
func (a *API) checkOptions(o AppOptions) (origins []string, window *time.Duration, err error) {
	if f := o.AccessTokenFormat; f != nil {
		if err := checkFormat(*f); err != nil {
			return nil, nil, err
		}
	}
	if b := o.DPoPBoundAccessTokens; b != nil {
		if msg := clientrules.DPoPBoundProblem(*b, a.cfg.DPoPOff); msg != "" {
			return nil, nil, &FieldError{Field: "dpop_bound_access_tokens", Problem: msg}
		}
	}
	if alg := o.IDTokenSignedResponseAlg; alg != nil && !slices.Contains(storage.IDTokenAlgs(), *alg) {
		return nil, nil, &FieldError{Field: "id_token_signed_response_alg", Problem: "must be one of " + strings.Join(storage.IDTokenAlgs(), ", ")}
	}
	if u := o.BackchannelLogoutURI; u != nil && *u != "" {
		if msg := clientrules.BackchannelLogoutURIProblem(*u, a.cfg.Dev); msg != "" {
			return nil, nil, &FieldError{Field: "backchannel_logout_uri", Problem: msg}
		}
	}
	if o.AllowedOrigins != nil {
		for _, raw := range *o.AllowedOrigins {
			origin, msg := clientrules.CheckOrigin(strings.TrimSpace(raw), a.cfg.Dev)
			if msg != "" {
				return nil, nil, &FieldError{Field: "allowed_origins", Problem: msg}
			}
			if !slices.Contains(origins, origin) {
				origins = append(origins, origin)
			}
		}
	}
	if o.RefreshReuseWindow != nil {
		var msg string
		if window, msg = clientrules.ParseReuseWindow(*o.RefreshReuseWindow); msg != "" {
			return nil, nil, &FieldError{Field: "refresh_token_reuse_window", Problem: msg}
		}
	}
	return origins, window, nil
}

// DeleteApp removes an app with its secrets, tokens and grants
// (app.deleted).
func (a *API) DeleteApp(ctx context.Context, by Actor, clientID string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.DeleteClient(ctx, clientID); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.AppDeleted, ClientID: clientID})}, nil
	})
}

// RotateSecret gives the app a new secret, returned once; the previous
// one keeps working for p's grace period (secret.rotated).
func (a *API) RotateSecret(ctx context.Context, by Actor, clientID string, p apikey.Policy) (string, storage.ClientSecret, error) {
	var plain string
	var rec storage.ClientSecret
	err := a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var err error
		if plain, rec, err = apikey.Rotate(ctx, a.cfg.Store, a.cfg.Hasher, clientID, p, a.cfg.Now()); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.SecretRotated, ClientID: clientID,
			Detail: map[string]string{"secret_id": rec.ID, "prefix": rec.Prefix}})}, nil
	})
	if err != nil {
		return "", storage.ClientSecret{}, err
	}
	return plain, rec, nil
}

// RevokeSecret removes one of the app's secrets at once (secret.revoked).
func (a *API) RevokeSecret(ctx context.Context, by Actor, clientID, secretID string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := apikey.Revoke(ctx, a.cfg.Store, clientID, secretID, a.cfg.Now()); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.SecretRevoked, ClientID: clientID,
			Detail: map[string]string{"secret_id": secretID}})}, nil
	})
}

// RevokeGrant withdraws a user's grant to an app and revokes every token
// of that app for the user (consent.withdrawn, with the scopes withdrawn).
func (a *API) RevokeGrant(ctx context.Context, by Actor, userID, clientID string) error {
	if _, err := a.cfg.Store.GetConsent(ctx, userID, clientID); err != nil {
		return err
	}
	_, err := consent.Withdraw(ctx, a.cfg.Store, a.cfg.Audit, userID, clientID, by.On(audit.Event{Reason: "by_admin"}))
	return err
}

// RecordExport records that an administrator exported the records
// matching f (audit.exported): before the export starts, so that an
// export nobody can account for cannot happen.
func (a *API) RecordExport(ctx context.Context, by Actor, f storage.AuditFilter, format string) error {
	return a.cfg.Audit.Record(ctx, by.On(audit.ExportEvent(f, format)))
}
