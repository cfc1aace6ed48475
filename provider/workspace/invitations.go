package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Sent is an invitation just made: its Link (the token in it is shown
// only here) and whether it was mailed.
type Sent struct {
	Invitation storage.Invitation
	Link       string
	Mailed     bool
}

// InvitationPath is the path of the invitation page of a token.
func InvitationPath(token string) string { return "/invitations/" + url.PathEscape(token) }

// Invite invites email to the workspace with role, valid for the
// configured life, and mails the link in loc when a mailer is set. A
// mail that cannot be sent leaves the invitation (Sent.Mailed false; the
// inviter may pass the link on). storage.ErrNotFound for an unknown
// workspace. check, when set, is asked with the empty role and role
// (MayChange for a member inviting).
func (s *Service) Invite(ctx context.Context, by audit.Actor, workspaceID, email, role string, loc mail.Locale, check func(from string) error) (Sent, error) {
	email = strings.TrimSpace(email)
	if !mailaddr.Valid(email) {
		return Sent{}, &FieldError{"email", "not an email address"}
	}
	if err := s.cfg.Roles.Check(role); err != nil {
		return Sent{}, err
	}
	if check != nil {
		if err := check(""); err != nil {
			return Sent{}, err
		}
	}
	token := secret.Random(32)
	now := s.now()
	inv := storage.Invitation{
		ID: uuid.NewString(), WorkspaceID: workspaceID, Email: email, Role: role, TokenHash: s.links.Hash(token),
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.InvitationLife),
	}
	if by.Type == audit.ActorUser {
		inv.InvitedBy = by.ID
	}
	var w storage.Workspace
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var err error
		if w, err = s.cfg.Store.GetWorkspace(ctx, workspaceID); err != nil {
			return nil, err
		}
		if err := s.cfg.Store.CreateInvitation(ctx, inv); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.InvitationSent, WorkspaceID: workspaceID,
			Detail: map[string]string{"invitation": inv.ID, "email": email, "role": role, "expires": inv.ExpiresAt.Format(time.RFC3339)}})}, nil
	})
	if err != nil {
		return Sent{}, err
	}
	out := Sent{Invitation: inv, Link: s.cfg.Issuer + InvitationPath(token)}
	if s.cfg.Mail == nil || s.cfg.Composer == nil {
		return out, nil
	}
	msg, err := s.cfg.Composer.WorkspaceInvitation(loc, email, InvitationMail{Workspace: w.Name, Role: role, Link: out.Link, Expires: s.cfg.InvitationLife})
	if err == nil {
		err = s.cfg.Mail.Send(ctx, msg)
	}
	if err != nil {
		// The invitation stands: its link goes back to the inviter.
		s.cfg.Logger.WarnContext(ctx, "workspace invitation not mailed", "workspace_id", workspaceID, "invitation_id", inv.ID, "err", err)
		return out, nil
	}
	out.Mailed = true
	return out, nil
}

// Pending is an invitation as its page shows it, with its workspace.
type Pending struct {
	Invitation storage.Invitation
	Workspace  storage.Workspace
}

// Lookup returns the pending invitation of a link's token, without
// accepting it. storage.ErrNotFound for a token unknown, expired or
// used.
func (s *Service) Lookup(ctx context.Context, token string) (Pending, error) {
	inv, err := s.cfg.Store.GetInvitation(ctx, s.links.Hash(token), s.cfg.Now())
	if err != nil {
		return Pending{}, err
	}
	w, err := s.cfg.Store.GetWorkspace(ctx, inv.WorkspaceID)
	if err != nil {
		return Pending{}, err
	}
	return Pending{Invitation: inv, Workspace: w}, nil
}

// Accept makes the user a member of the invitation's workspace with its
// role, and the invitation used. storage.ErrNotFound for a token
// unknown, expired or used (of two concurrent acceptances one gets it);
// ErrAlreadyMember if the user is a member already, and then the
// invitation stays pending.
func (s *Service) Accept(ctx context.Context, token, userID string) (storage.Member, error) {
	hash := s.links.Hash(token)
	var out storage.Member
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		inv, err := s.cfg.Store.GetInvitation(ctx, hash, s.cfg.Now())
		if err != nil {
			return nil, err
		}
		u, err := s.cfg.Store.GetUser(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("workspace: accept: the account: %w", err)
		}
		if out, err = s.cfg.Store.AcceptInvitation(ctx, hash, userID, s.now()); err != nil {
			if errors.Is(err, storage.ErrAlreadyExists) {
				return nil, ErrAlreadyMember
			}
			return nil, err
		}
		matches := "false"
		if strings.EqualFold(u.Email, inv.Email) {
			matches = "true"
		}
		return []audit.Event{audit.Event{Action: audit.InvitationAccepted, WorkspaceID: inv.WorkspaceID, Subject: userID,
			Detail: map[string]string{"invitation": inv.ID, "email": inv.Email, "role": out.Role, "email_matches": matches}}.ByUser(userID)}, nil
	})
	return out, err
}

// RevokeInvitation deletes an invitation of the workspace, pending or
// used. storage.ErrNotFound if the workspace has no such invitation.
func (s *Service) RevokeInvitation(ctx context.Context, by audit.Actor, workspaceID, id string) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		list, err := s.cfg.Store.ListInvitations(ctx, workspaceID)
		if err != nil {
			return nil, err
		}
		email := ""
		for _, inv := range list {
			if inv.ID == id {
				email = inv.Email
			}
		}
		if err := s.cfg.Store.DeleteInvitation(ctx, workspaceID, id); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.InvitationRevoked, WorkspaceID: workspaceID,
			Detail: map[string]string{"invitation": id, "email": email}})}, nil
	})
}
