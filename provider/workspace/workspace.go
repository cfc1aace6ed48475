package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/links"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the service reads and changes, in transactions.
type Store interface {
	storage.Workspaces
	storage.Transactor
	GetUser(ctx context.Context, id string) (storage.User, error)
}

// Revoker ends a member's tokens of a workspace, at once: the tokens
// issued for the user in the workspace are revoked (and resource servers
// told). It joins the transaction ctx carries.
type Revoker interface {
	RevokeMember(ctx context.Context, workspaceID, userID string) error
}

// Mailer sends a mail.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// InvitationMail is what the mail inviting someone to a workspace says
// (provider/mail writes it).
type InvitationMail = mail.WorkspaceInvitation

// Composer writes the invitation mail.
type Composer interface {
	WorkspaceInvitation(loc mail.Locale, to string, m InvitationMail) (mail.Message, error)
}

// DefaultInvitationLife is how long an invitation works when the
// configuration says nothing.
const DefaultInvitationLife = 7 * 24 * time.Hour

// Config holds a Service's dependencies.
type Config struct {
	Store Store
	// Roles are the configured roles' names: with WorkspaceOwner, the
	// workspace roles there are.
	Roles Roles
	// Audit records every change, in its transaction.
	Audit   *audit.Recorder
	Revoker Revoker
	// Links hashes invitation tokens (secret.PurposeOneTimeLinks).
	Links secret.Hasher
	// Mail and Composer send the invitations; either nil: none is
	// mailed, and the link goes back only to the inviter.
	Mail     Mailer
	Composer Composer
	// Issuer is the provider's public URL, the base of invitation links.
	Issuer string
	// InvitationLife is how long an invitation works; 0 is
	// DefaultInvitationLife.
	InvitationLife time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Service makes the changes to workspaces.
type Service struct {
	cfg   Config
	links *links.Maker
}

// New returns a Service.
func New(cfg Config) *Service {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.InvitationLife <= 0 {
		cfg.InvitationLife = DefaultInvitationLife
	}
	return &Service{cfg: cfg, links: links.New(links.Config{Hasher: cfg.Links, Issuer: cfg.Issuer, Now: cfg.Now})}
}

// Roles returns the workspace roles there are, owner first.
func (s *Service) Roles() []string {
	return append([]string{storage.WorkspaceOwner}, s.cfg.Roles...)
}

// now is the service's clock, to the second as the stores keep times.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// inTx runs fn and records the events it returns in one transaction.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) ([]audit.Event, error)) error {
	return s.cfg.Audit.InTx(ctx, s.cfg.Store, fn)
}

// Settings are a new workspace's handle, name and policy.
type Settings struct {
	Handle string
	Name   string
	Policy storage.WorkspacePolicy
}

// check returns the settings checked and normalized.
func (st Settings) check() (Settings, error) {
	var err error
	if st.Handle, err = Handle(st.Handle); err != nil {
		return st, err
	}
	if st.Name, err = Name(st.Name); err != nil {
		return st, err
	}
	st.Policy, err = Policy(st.Policy)
	return st, err
}

// Create makes a workspace; owner, when set, is the account that becomes
// its first owner (the creator signed in to the console, or one an API
// caller names). storage.ErrAlreadyExists if the handle is taken;
// storage.ErrNotFound if owner is no account.
func (s *Service) Create(ctx context.Context, by audit.Actor, st Settings, owner string) (storage.Workspace, error) {
	st, err := st.check()
	if err != nil {
		return storage.Workspace{}, err
	}
	now := s.now()
	w := storage.Workspace{ID: uuid.NewString(), Handle: st.Handle, Name: st.Name, Policy: st.Policy, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := s.cfg.Store.CreateWorkspace(ctx, w); err != nil {
			return nil, err
		}
		if owner != "" {
			if err := s.cfg.Store.AddMember(ctx, storage.Member{WorkspaceID: w.ID, UserID: owner, Role: storage.WorkspaceOwner, JoinedAt: now}); err != nil {
				return nil, fmt.Errorf("workspace: make the owner a member: %w", err)
			}
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WorkspaceCreated, WorkspaceID: w.ID, Subject: owner,
			Detail: map[string]string{"handle": w.Handle, "name": w.Name, "owner": owner}})}, nil
	})
	return w, err
}

// Change is a change of a workspace's settings; a nil field is left as
// it is.
type Change struct {
	Handle *string
	Name   *string
	Policy *storage.WorkspacePolicy
}

// Update changes a workspace's handle, name or policy, recording what
// changed (nothing changed: no record). storage.ErrAlreadyExists if the
// new handle is taken; storage.ErrNotFound for an unknown workspace. The
// default workspace's handle stays.
func (s *Service) Update(ctx context.Context, by audit.Actor, id string, ch Change) (storage.Workspace, error) {
	if ch.Handle != nil {
		h, err := Handle(*ch.Handle)
		if err != nil {
			return storage.Workspace{}, err
		}
		ch.Handle = &h
	}
	if ch.Name != nil {
		n, err := Name(*ch.Name)
		if err != nil {
			return storage.Workspace{}, err
		}
		ch.Name = &n
	}
	if ch.Policy != nil {
		p, err := Policy(*ch.Policy)
		if err != nil {
			return storage.Workspace{}, err
		}
		ch.Policy = &p
	}
	var out storage.Workspace
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var before storage.Workspace
		w, err := s.cfg.Store.UpdateWorkspace(ctx, id, func(w storage.Workspace) (storage.Workspace, error) {
			before = w.Clone()
			if ch.Handle != nil && *ch.Handle != w.Handle {
				if w.ID == storage.DefaultWorkspaceID {
					return w, &FieldError{"handle", "the default workspace's handle stays " + strconv.Quote(w.Handle)}
				}
				w.Handle = *ch.Handle
			}
			if ch.Name != nil {
				w.Name = *ch.Name
			}
			if ch.Policy != nil {
				w.Policy = *ch.Policy
			}
			w.UpdatedAt = s.now()
			return w, nil
		})
		if err != nil {
			return nil, err
		}
		out = w
		d := map[string]string{}
		if w.Name != before.Name {
			d["name_before"], d["name"] = before.Name, w.Name
		}
		if w.Handle != before.Handle {
			d["handle_before"], d["handle"] = before.Handle, w.Handle
		}
		if ch.Policy != nil && !samePolicy(before.Policy, w.Policy) {
			d["policy"] = "changed"
		}
		if len(d) == 0 {
			return nil, nil
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WorkspaceUpdated, WorkspaceID: w.ID, Detail: d})}, nil
	})
	return out, err
}

func samePolicy(a, b storage.WorkspacePolicy) bool {
	return a.RequireMFA == b.RequireMFA && a.SessionLifetime == b.SessionLifetime && a.Installs == b.Installs &&
		fmt.Sprint(a.SignInMethods) == fmt.Sprint(b.SignInMethods)
}

// Delete removes a workspace with its members and invitations, revoking
// every member's tokens of it. ErrDefaultWorkspace for the default one;
// storage.ErrNotFound for an unknown one.
func (s *Service) Delete(ctx context.Context, by audit.Actor, id string) error {
	if id == storage.DefaultWorkspaceID {
		return ErrDefaultWorkspace
	}
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		w, err := s.lock(ctx, id)
		if err != nil {
			return nil, err
		}
		members := 0
		for p := (storage.Page{Limit: 500}); ; {
			list, err := s.cfg.Store.ListMembers(ctx, id, p)
			if err != nil {
				return nil, fmt.Errorf("workspace: list the members to sign out: %w", err)
			}
			for _, m := range list {
				if err := s.cfg.Revoker.RevokeMember(ctx, id, m.UserID); err != nil {
					return nil, fmt.Errorf("workspace: revoke a member's tokens: %w", err)
				}
			}
			members += len(list)
			if len(list) < p.EffectiveLimit() {
				break
			}
			p.After = list[len(list)-1].UserID
		}
		if err := s.cfg.Store.DeleteWorkspace(ctx, id); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return nil, ErrDefaultWorkspace
			}
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WorkspaceDeleted, WorkspaceID: id,
			Detail: map[string]string{"handle": w.Handle, "members": strconv.Itoa(members)}})}, nil
	})
}

// lock reads the workspace through an update that changes nothing: in a
// transaction, the changes of its memberships that follow run one after
// another (storage.Workspaces.CountMembers).
func (s *Service) lock(ctx context.Context, id string) (storage.Workspace, error) {
	return Lock(ctx, s.cfg.Store, id)
}
