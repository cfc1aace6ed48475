package account

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Upstreams is how the account page offers upstream identities to link (provider/login implements it).
type Upstreams interface {
	// Linkable returns the connectors in use, in the sign-in page's order (ID and display names).
	Linkable(ctx context.Context) []web.UpstreamButton
	// StartLink answers r by sending the browser to the connector id to link the identity it vouches for to user;
	// the upstream's answer comes back to the login package, which links it and returns the browser to /account.
	StartLink(w http.ResponseWriter, r *http.Request, id string, user storage.User)
}

// errLastWayIn is an unlinking that would leave the account no way to
// sign in.
var errLastWayIn = errors.New("the account's last way to sign in")

// linkSection fills p's sign-in providers section with the user's links,
// each named as the connector in use is (by its ID when none is), and,
// when linking is on and a connector is in use, the connectors in use
// the user has no link with: with no connector in use and no link, the
// page has no section.
func (h *Handler) linkSection(ctx context.Context, p *web.AccountPage, userID string) error {
	links, err := h.cfg.Store.ListUserIdentities(ctx, userID)
	if err != nil {
		return err
	}
	var inUse []web.UpstreamButton
	if h.cfg.Upstreams != nil {
		inUse = h.cfg.Upstreams.Linkable(ctx)
		p.LinkingOn = len(inUse) > 0
	}
	for _, l := range links {
		provider := web.UpstreamButton{ID: l.ConnectorID}
		if i := slices.IndexFunc(inUse, func(b web.UpstreamButton) bool { return b.ID == l.ConnectorID }); i >= 0 {
			provider = inUse[i]
		}
		p.Links = append(p.Links, web.LinkView{Provider: provider, Subject: l.Subject, Email: l.Email, CreatedAt: l.CreatedAt, LastUsedAt: l.LastUsedAt})
	}
	for _, b := range inUse {
		if !slices.ContainsFunc(links, func(l storage.LinkedIdentity) bool { return l.ConnectorID == b.ID }) {
			p.Linkable = append(p.Linkable, b)
		}
	}
	return nil
}

// startLink is POST /account/links/{id}: for a browser that signed in a
// moment ago, it hands over to the connector id (Upstreams.StartLink),
// which sends the browser to the upstream. A connector not in use is
// refused (400), and so is one the account has a link with already (409);
// a browser signed in longer ago is sent to sign in again first, since
// linking is how a stolen session would keep its way in.
func (h *Handler) startLink(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	id := r.PathValue("id")
	if !slices.ContainsFunc(h.cfg.Upstreams.Linkable(ctx), func(b web.UpstreamButton) bool { return b.ID == id }) {
		h.refuse(w, r, s, http.StatusBadRequest, "links.unknown_provider")
		return
	}
	links, err := h.cfg.Store.ListUserIdentities(ctx, s.User.ID)
	if err != nil {
		h.fail(w, r, "list linked identities", err)
		return
	}
	if slices.ContainsFunc(links, func(l storage.LinkedIdentity) bool { return l.ConnectorID == id }) {
		h.refuse(w, r, s, http.StatusConflict, "links.already")
		return
	}
	if !h.requireFresh(w, r, s, "/account", "link", id) {
		return
	}
	h.cfg.Logger.InfoContext(ctx, "linking an upstream identity", "user_id", s.User.ID, "connector", id)
	h.cfg.Upstreams.StartLink(w, r, id, s.User)
}

// unlink is POST /account/links/{id}/remove: it removes the user's link
// of the connector id's identity the form's subject names, with its
// record, and shows the account page. A link that is not the user's (or
// is none) is answered 404; one that is the account's last way in (no
// password, no passkey, no other link) is kept, and answered 409.
func (h *Handler) unlink(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	id, subject := r.PathValue("id"), r.PostFormValue("subject")
	err := h.keepWayIn(ctx, s.User.ID, audit.Event{Action: audit.UpstreamUnlinked, Subject: s.User.ID,
		Detail: map[string]string{"connector": id, "subject": subject}}.ByUser(s.User.ID), func(ctx context.Context) error {
		return h.cfg.Store.UnlinkIdentity(ctx, s.User.ID, id, subject)
	})
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidInput):
		// Not the user's link (the store unlinks only the user's), none,
		// unlinked elsewhere a moment ago, or a subject no link can have.
		h.refuse(w, r, s, http.StatusNotFound, "links.unknown")
		return
	case errors.Is(err, errLastWayIn):
		h.cfg.Logger.InfoContext(ctx, "unlinking the last way in refused", "user_id", s.User.ID, "connector", id)
		h.refuse(w, r, s, http.StatusConflict, "links.last_way_in")
		return
	case err != nil:
		h.fail(w, r, "unlink an upstream identity", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "upstream identity unlinked", "user_id", s.User.ID, "connector", id)
	h.showWith(w, r, s, "links.removed")
}

// keepWayIn removes a way in to the account userID (remove: a linked
// identity, a passkey) and records e, in one transaction holding the
// account's row (read through an update that changes nothing), so that
// two removals at once cannot each leave the other's as the last way in.
// errLastWayIn, and nothing removed, when none would be left.
func (h *Handler) keepWayIn(ctx context.Context, userID string, e audit.Event, remove func(ctx context.Context) error) error {
	return storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		u, err := h.cfg.Store.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) { return u, nil })
		if err != nil {
			return err
		}
		if err := remove(ctx); err != nil {
			return err
		}
		left, err := h.hasWayIn(ctx, u)
		if err != nil {
			return err
		}
		if !left {
			return errLastWayIn
		}
		return h.cfg.Audit.Record(ctx, e)
	})
}

// hasWayIn reports whether the account u, as stored now, can still sign
// in: it has a password, a passkey or a linked identity.
func (h *Handler) hasWayIn(ctx context.Context, u storage.User) (bool, error) {
	if u.PasswordHash != "" {
		return true, nil
	}
	keys, err := h.cfg.Store.ListPasskeys(ctx, u.ID)
	if err != nil || len(keys) > 0 {
		return len(keys) > 0, err
	}
	links, err := h.cfg.Store.ListUserIdentities(ctx, u.ID)
	return len(links) > 0, err
}
