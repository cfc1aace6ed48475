package install

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// Errors the service returns for a request it cannot carry out.
var (
	// ErrNotMember: only an active member of the workspace asks for an
	// app there.
	ErrNotMember = errors.New("only a member of the workspace may install apps there")
	// ErrNoScopes: the request names no scope the app may have.
	ErrNoScopes = errors.New("choose at least one of the scopes the app asks for")
	// ErrNotPending: there is nothing waiting for a decision.
	ErrNotPending = errors.New("the installation waits for no decision")
	// ErrAppUnavailable: the app does not exist or is switched off.
	ErrAppUnavailable = errors.New("the app does not exist or is switched off")
)

// ScopeError names a scope the app does not ask for.
type ScopeError struct{ Scope string }

func (e *ScopeError) Error() string {
	return fmt.Sprintf("the app does not ask for the scope %q", e.Scope)
}

// MaxReason bounds a denial's reason, in characters.
const MaxReason = 500

// DefaultInstalls is who installs apps into a workspace whose policy
// says nothing: its admins only.
const DefaultInstalls = storage.InstallsAdmins

// Store is what the service reads and changes, in transactions.
type Store interface {
	storage.Installations
	storage.Transactor
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
	// RevokeClientWorkspace ends every token of the app for the
	// workspace, its bot's and its members' (an approval took installed
	// scopes away, which capped them).
	RevokeClientWorkspace(ctx context.Context, clientID, workspaceID string) (int, error)
}

// Revoker ends the tokens of a subject for a workspace, at once, in the
// transaction ctx carries (workspace.TokenRevoker): an installation's
// bot tokens have its ID as their subject.
type Revoker interface {
	RevokeMember(ctx context.Context, workspaceID, subject string) error
}

// Config holds a Service's dependencies.
type Config struct {
	Store   Store
	Revoker Revoker
	// Audit records every change, in its transaction.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Service makes the changes to installations.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) ([]audit.Event, error)) error {
	return s.cfg.Audit.InTx(ctx, s.cfg.Store, fn)
}

// Wants returns the scopes an app asks a workspace for: its registered
// scopes but the sign-in ones, which concern a user, never a bot.
func Wants(c storage.Client) []string {
	return slices.DeleteFunc(slices.Clone(c.Scopes), consent.SignInScope)
}

// Effective returns the scopes an installation's tokens may carry: those
// installed that the app still has.
func Effective(in storage.Installation, c storage.Client) []string {
	return slices.DeleteFunc(slices.Clone(in.Scopes), func(sc string) bool { return !slices.Contains(c.Scopes, sc) })
}

// NeedsReapproval reports whether an active installation has scopes
// requested and not yet approved (a new version of the app asks more).
func NeedsReapproval(in storage.Installation) bool {
	return in.Status == storage.InstallActive && len(in.Requested) > 0
}

// Installs returns who installs apps under policy: its Installs, or
// DefaultInstalls.
func Installs(p storage.WorkspacePolicy) string {
	if p.Installs == "" {
		return DefaultInstalls
	}
	return p.Installs
}

// MayInstall reports whether a member with role installs the app at once
// (rather than asking an admin) under the workspace's policy: an admin
// always; a guest never; a member under InstallsMembers, or under
// InstallsApproved an app an admin approved beforehand.
func MayInstall(p storage.WorkspacePolicy, role string, preapproved bool) bool {
	switch {
	case workspace.Manages(role):
		return true
	case role == storage.WorkspaceGuest:
		return false
	}
	switch Installs(p) {
	case storage.InstallsMembers:
		return true
	case storage.InstallsApproved:
		return preapproved
	}
	return false
}

// chosen checks the scopes a requester chose against what the app asks
// for and returns them without repeats, in the app's order; none chosen
// is ErrNoScopes.
func chosen(wants, scopes []string) ([]string, error) {
	for _, sc := range scopes {
		if !slices.Contains(wants, sc) {
			return nil, &ScopeError{Scope: sc}
		}
	}
	out := slices.DeleteFunc(slices.Clone(wants), func(sc string) bool { return !slices.Contains(scopes, sc) })
	if len(out) == 0 {
		return nil, ErrNoScopes
	}
	return out, nil
}

// without returns a without the elements of b.
func without(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(sc string) bool { return slices.Contains(b, sc) })
}

// union returns a followed by the elements of b not in a.
func union(a, b []string) []string {
	return append(slices.Clone(a), without(b, a)...)
}

// Reason checks a denial's reason and returns it trimmed: at most
// MaxReason characters, no control characters but line breaks.
func Reason(r string) (string, error) {
	r = strings.TrimSpace(r)
	switch {
	case !utf8.ValidString(r):
		return "", &workspace.FieldError{Field: "reason", Problem: "not text"}
	case utf8.RuneCountInString(r) > MaxReason:
		return "", &workspace.FieldError{Field: "reason", Problem: fmt.Sprintf("at most %d characters", MaxReason)}
	case strings.ContainsFunc(r, func(c rune) bool { return unicode.IsControl(c) && c != '\n' && c != '\r' }):
		return "", &workspace.FieldError{Field: "reason", Problem: "no control characters"}
	}
	return r, nil
}

// event is the record of a change of in.
func event(by audit.Actor, action string, in storage.Installation, detail map[string]string) audit.Event {
	return by.On(audit.Event{Action: action, WorkspaceID: in.WorkspaceID, ClientID: in.ClientID, Subject: in.ID,
		Scopes: slices.Clone(in.Scopes), Detail: detail})
}

// app reads the client for an installation: ErrAppUnavailable when it is
// gone or switched off.
func (s *Service) app(ctx context.Context, clientID string) (storage.Client, error) {
	c, err := s.cfg.Store.GetClient(ctx, clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput):
		return c, ErrAppUnavailable
	case err != nil:
		return c, err
	case c.Disabled:
		return c, ErrAppUnavailable
	}
	return c, nil
}

// Request installs the app into the workspace for the signed-in member
// userID with the scopes chosen (each one the app asks for), or asks the
// workspace's admins to (MayInstall): the installation is then active,
// or pending. On an active installation, scopes beyond those installed
// are added at once, or wait for approval while the installation keeps
// what it has. A denied one is asked again. ErrNotMember if the user is
// not an active member; ErrAppUnavailable for an unknown or disabled app.
func (s *Service) Request(ctx context.Context, workspaceID, clientID, userID string, scopes []string) (storage.Installation, error) {
	var out storage.Installation
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		m, err := s.cfg.Store.GetMember(ctx, workspaceID, userID)
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || err == nil && m.Suspended {
			return nil, ErrNotMember
		}
		if err != nil {
			return nil, err
		}
		ws, err := s.cfg.Store.GetWorkspace(ctx, workspaceID)
		if err != nil {
			return nil, err
		}
		c, err := s.app(ctx, clientID)
		if err != nil {
			return nil, err
		}
		want, err := chosen(Wants(c), scopes)
		if err != nil {
			return nil, err
		}
		pre := false
		if _, err := s.cfg.Store.GetApprovedApp(ctx, workspaceID, clientID); err == nil {
			pre = true
		} else if !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
		at := s.now()
		by := audit.Actor{Type: audit.ActorUser, ID: userID}
		direct := MayInstall(ws.Policy, m.Role, pre)
		in, err := s.cfg.Store.GetWorkspaceInstallation(ctx, workspaceID, clientID)
		if errors.Is(err, storage.ErrNotFound) {
			in = storage.Installation{ID: uuid.NewString(), WorkspaceID: workspaceID, ClientID: clientID,
				Status: storage.InstallPending, Requested: want, Declined: without(Wants(c), want), RequestedBy: userID, CreatedAt: at, UpdatedAt: at}
			action := audit.InstallRequested
			if direct {
				in.Status, in.Scopes, in.Requested, action = storage.InstallActive, want, nil, audit.AppInstalled
			}
			out = in
			if err := s.cfg.Store.CreateInstallation(ctx, in); err != nil {
				return nil, err
			}
			return []audit.Event{event(by, action, in, map[string]string{"requested": strings.Join(want, " ")})}, nil
		}
		if err != nil {
			return nil, err
		}
		var action string
		out, err = s.cfg.Store.UpdateInstallation(ctx, in.ID, func(in storage.Installation) (storage.Installation, error) {
			more := without(want, in.Scopes)
			switch {
			case in.Status == storage.InstallActive && len(more) == 0:
				return in, nil
			case in.Status == storage.InstallActive && direct:
				in.Scopes, in.Requested, action = union(in.Scopes, more), without(in.Requested, more), audit.AppInstalled
			case in.Status == storage.InstallActive:
				in.Requested, action = union(in.Requested, more), audit.InstallRequested
			case direct:
				in.Status, in.Scopes, in.Requested, in.Reason, action = storage.InstallActive, want, nil, "", audit.AppInstalled
			default:
				in.Status, in.Requested, in.Reason, action = storage.InstallPending, want, "", audit.InstallRequested
			}
			in.Declined, in.RequestedBy, in.UpdatedAt = without(in.Declined, want), userID, at
			return in, nil
		})
		if err != nil || action == "" {
			return nil, err
		}
		return []audit.Event{event(by, action, out, map[string]string{"requested": strings.Join(want, " ")})}, nil
	})
	return out, err
}

// find returns the workspace's installation id. storage.ErrNotFound if
// the workspace has no such installation.
func (s *Service) find(ctx context.Context, workspaceID, id string) (storage.Installation, error) {
	in, err := s.cfg.Store.GetInstallation(ctx, id)
	if err == nil && in.WorkspaceID != workspaceID || errors.Is(err, storage.ErrInvalidInput) {
		err = fmt.Errorf("install: installation %q of workspace %s: %w", id, workspaceID, storage.ErrNotFound)
	}
	return in, err
}

// Get returns the workspace's installation id, brought up to date with
// its app (Sync). storage.ErrNotFound if the workspace has no such
// installation.
func (s *Service) Get(ctx context.Context, workspaceID, id string) (storage.Installation, error) {
	var out storage.Installation
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		in, err := s.find(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		out, err = s.sync(ctx, in)
		return nil, err
	})
	return out, err
}

// List returns the workspace's installations with status (any when
// empty), each brought up to date with its app (Sync).
func (s *Service) List(ctx context.Context, workspaceID, status string) ([]storage.Installation, error) {
	list, err := s.cfg.Store.ListInstallations(ctx, workspaceID, status)
	if err != nil {
		return nil, err
	}
	for i, in := range list {
		if list[i], err = s.Sync(ctx, in); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Sync brings an active installation up to date with its app: the scopes
// the app asks for that are neither installed nor requested become
// Requested (re-approval), recorded once; its tokens keep carrying the
// installed scopes meanwhile (Effective).
func (s *Service) Sync(ctx context.Context, in storage.Installation) (storage.Installation, error) {
	if in.Status != storage.InstallActive {
		return in, nil
	}
	out := in
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var err error
		out, err = s.sync(ctx, in)
		return nil, err
	})
	return out, err
}

// sync is Sync in the transaction ctx carries, recording there.
func (s *Service) sync(ctx context.Context, in storage.Installation) (storage.Installation, error) {
	if in.Status != storage.InstallActive {
		return in, nil
	}
	c, err := s.cfg.Store.GetClient(ctx, in.ClientID)
	if err != nil {
		return in, err
	}
	if len(unasked(c, in)) == 0 {
		return in, nil
	}
	var more []string
	out, err := s.cfg.Store.UpdateInstallation(ctx, in.ID, func(in storage.Installation) (storage.Installation, error) {
		more = unasked(c, in)
		in.Requested = union(in.Requested, more)
		if len(more) > 0 {
			in.UpdatedAt = s.now()
		}
		return in, nil
	})
	if err != nil || len(more) == 0 {
		return out, err
	}
	return out, s.cfg.Audit.Record(ctx, event(audit.Actor{Type: audit.ActorSystem}, audit.InstallReapproval, out,
		map[string]string{"requested": strings.Join(more, " ")}))
}

// unasked are the scopes the app asks for that the installation has
// neither installed, requested nor declined.
func unasked(c storage.Client, in storage.Installation) []string {
	return without(Wants(c), union(union(in.Scopes, in.Requested), in.Declined))
}

// Approval checks an approval of in with scopes: each one installed or
// requested, at least one, and something waiting (ErrNotPending for an
// active installation asking nothing). It returns the scopes approved,
// without repeats, in the order offered.
func Approval(in storage.Installation, scopes []string) ([]string, error) {
	if in.Status == storage.InstallActive && len(in.Requested) == 0 {
		return nil, ErrNotPending
	}
	return chosen(union(in.Scopes, in.Requested), scopes)
}

// Approve installs what an installation waits for: the scopes given
// (nil: all requested and installed), each one requested or installed;
// an approval may narrow. Scopes installed before and left out are
// taken away, and the installation's tokens revoked. ErrNotPending when
// nothing waits; storage.ErrNotFound for another workspace's.
func (s *Service) Approve(ctx context.Context, by audit.Actor, workspaceID, id string, scopes []string) (storage.Installation, error) {
	var out storage.Installation
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var dropped []string
		in, err := s.find(ctx, workspaceID, id)
		if err == nil {
			in, err = s.sync(ctx, in)
		}
		if err != nil {
			return nil, err
		}
		out, err = s.cfg.Store.UpdateInstallation(ctx, in.ID, func(in storage.Installation) (storage.Installation, error) {
			offered := union(in.Scopes, in.Requested)
			if scopes == nil {
				scopes = offered
			}
			approved, err := Approval(in, scopes)
			if err != nil {
				return in, err
			}
			if in.Status == storage.InstallActive {
				dropped = without(in.Scopes, approved)
			}
			in.Declined = union(in.Declined, without(offered, approved))
			in.Status, in.Scopes, in.Requested, in.Reason = storage.InstallActive, approved, nil, ""
			in.DecidedBy, in.UpdatedAt = by.ID, s.now()
			return in, nil
		})
		if err != nil {
			return nil, err
		}
		if len(dropped) > 0 {
			// The installed scopes capped the bot's tokens and the
			// members' for the app (consent.InstalledScopes): all of them
			// go, and are asked for again under the narrower cap.
			if _, err := s.cfg.Store.RevokeClientWorkspace(ctx, out.ClientID, workspaceID); err != nil {
				return nil, fmt.Errorf("install: revoke the app's tokens of workspace %s: %w", workspaceID, err)
			}
		}
		return []audit.Event{event(by, audit.InstallApproved, out, map[string]string{"dropped": strings.Join(dropped, " ")})}, nil
	})
	return out, err
}

// Deny refuses what an installation waits for, with a reason the
// requester sees: a pending one becomes denied; an active one keeps its
// scopes and loses the request. ErrNotPending when nothing waits;
// storage.ErrNotFound for another workspace's.
func (s *Service) Deny(ctx context.Context, by audit.Actor, workspaceID, id, reason string) (storage.Installation, error) {
	reason, err := Reason(reason)
	if err != nil {
		return storage.Installation{}, err
	}
	var out storage.Installation
	err = s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		in, err := s.find(ctx, workspaceID, id)
		if err == nil {
			in, err = s.sync(ctx, in)
		}
		if err != nil {
			return nil, err
		}
		var refused []string
		out, err = s.cfg.Store.UpdateInstallation(ctx, in.ID, func(in storage.Installation) (storage.Installation, error) {
			switch {
			case in.Status == storage.InstallPending:
				in.Status = storage.InstallDenied
			case in.Status != storage.InstallActive || len(in.Requested) == 0:
				return in, ErrNotPending
			}
			refused = in.Requested
			in.Declined = union(in.Declined, refused)
			in.Requested, in.Reason, in.DecidedBy, in.UpdatedAt = nil, reason, by.ID, s.now()
			return in, nil
		})
		if err != nil {
			return nil, err
		}
		e := event(by, audit.InstallDenied, out, map[string]string{"refused": strings.Join(refused, " ")})
		e.Reason = reason
		return []audit.Event{e}, nil
	})
	return out, err
}

// Uninstall removes an installation, pending, denied or active, and
// revokes every token of it at once (resource servers learn it from the
// revocation stream). storage.ErrNotFound for another workspace's.
func (s *Service) Uninstall(ctx context.Context, by audit.Actor, workspaceID, id string) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		in, err := s.find(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Store.DeleteInstallation(ctx, id); err != nil {
			return nil, err
		}
		if err := s.cfg.Revoker.RevokeMember(ctx, workspaceID, id); err != nil {
			return nil, fmt.Errorf("install: revoke the tokens of installation %s: %w", id, err)
		}
		return []audit.Event{event(by, audit.AppUninstalled, in, map[string]string{"status": in.Status})}, nil
	})
}

// Preapprove marks the app approved beforehand for the workspace's
// members to install (policy InstallsApproved), or withdraws that. An
// approval needs the app (ErrAppUnavailable for an unknown or disabled
// one); a withdrawal does not, so an approval of an app deleted or
// switched off since can still be withdrawn. storage.ErrNotFound for an
// unknown workspace, or a withdrawal of no approval.
func (s *Service) Preapprove(ctx context.Context, by audit.Actor, workspaceID, clientID string, approved bool) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		action := audit.AppPreapproved
		if approved {
			if _, err := s.app(ctx, clientID); err != nil {
				return nil, err
			}
			if err := s.cfg.Store.ApproveApp(ctx, storage.ApprovedApp{WorkspaceID: workspaceID, ClientID: clientID, ApprovedBy: by.ID, ApprovedAt: s.now()}); err != nil {
				return nil, err
			}
		} else {
			action = audit.AppUnapproved
			if err := s.cfg.Store.UnapproveApp(ctx, workspaceID, clientID); err != nil {
				return nil, err
			}
		}
		return []audit.Event{by.On(audit.Event{Action: action, WorkspaceID: workspaceID, ClientID: clientID})}, nil
	})
}

// Offer is what the installation page shows a member: the workspace,
// the app, the member's role, the installation if there is one, and
// whether the member installs at once.
type Offer struct {
	Workspace    storage.Workspace
	Client       storage.Client
	Member       storage.Member
	Installation storage.Installation
	// Installed says Installation exists (pending, active or denied).
	Installed bool
	// Installs says the member installs at once (MayInstall).
	Installs bool
}

// OfferFor returns what the workspace with handle offers the user for the
// app. storage.ErrNotFound for an unknown workspace; ErrAppUnavailable
// for an unknown or disabled app; ErrNotMember when the user is no
// active member.
func (s *Service) OfferFor(ctx context.Context, handle, clientID, userID string) (Offer, error) {
	var o Offer
	var err error
	if o.Workspace, err = s.cfg.Store.GetWorkspaceByHandle(ctx, handle); err != nil {
		if errors.Is(err, storage.ErrInvalidInput) {
			err = fmt.Errorf("install: workspace %q: %w", handle, storage.ErrNotFound)
		}
		return o, err
	}
	o.Member, err = s.cfg.Store.GetMember(ctx, o.Workspace.ID, userID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && o.Member.Suspended {
		return o, ErrNotMember
	}
	if err != nil {
		return o, err
	}
	if o.Client, err = s.app(ctx, clientID); err != nil {
		return o, err
	}
	pre := false
	if _, err := s.cfg.Store.GetApprovedApp(ctx, o.Workspace.ID, clientID); err == nil {
		pre = true
	} else if !errors.Is(err, storage.ErrNotFound) {
		return o, err
	}
	o.Installs = MayInstall(o.Workspace.Policy, o.Member.Role, pre)
	in, err := s.cfg.Store.GetWorkspaceInstallation(ctx, o.Workspace.ID, clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return o, nil
	case err != nil:
		return o, err
	}
	o.Installation, o.Installed = in, true
	o.Installation, err = s.Sync(ctx, in)
	return o, err
}

// Approved returns the apps the workspace's admins approved beforehand
// for its members to install (Preapprove), ordered by client ID.
func (s *Service) Approved(ctx context.Context, workspaceID string) ([]storage.ApprovedApp, error) {
	return s.cfg.Store.ListApprovedApps(ctx, workspaceID)
}
