package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
)

// UpstreamLogout is an upstream that ends sessions (upstream/oidc): its
// back-channel logout tokens name the sessions it ended (OpenID Connect
// Back-Channel Logout 1.0), and its end-session endpoint ends its own
// (RP-Initiated Logout 1.0).
type UpstreamLogout interface {
	VerifyLogoutToken(ctx context.Context, raw string) (upstream.Logout, error)
	EndSessionURL(ctx context.Context, idTokenHint, postLogoutRedirectURI, state string) (string, bool, error)
}

// UpstreamBackchannelPath is where an upstream posts its back-channel
// logout tokens, the connector's ID after it: the backchannel_logout_uri
// to register there.
const UpstreamBackchannelPath = "/login/upstream/backchannel/"

// maxLogoutBody bounds a back-channel logout request's body.
const maxLogoutBody = 32 << 10

// upstreamBackchannel is POST /login/upstream/backchannel/{id}: the
// upstream says a user's session there ended (a logout token, checked by
// the connector: signed by the upstream, for us, recent, used once). The
// sessions it started here that the token names end too, and each app
// signed in through them is told in turn (storage's back-channel
// deliveries). A server's request, not a browser's: no CSRF token, no
// cookie; answers per Back-Channel Logout 1.0 section 2.8.
func (h *Handler) upstreamBackchannel(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	u, ok := h.upstreamByID(ctx, r.PathValue("id"))
	if !ok || u.Logout == nil {
		logoutError(w, http.StatusNotFound, "invalid_request", "no connector here takes logout tokens")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutBody)
	if err := r.ParseForm(); err != nil {
		logoutError(w, http.StatusBadRequest, "invalid_request", "the body is not a form of at most 32 KiB")
		return
	}
	l, err := u.Logout.VerifyLogoutToken(ctx, r.PostForm.Get("logout_token"))
	if err != nil {
		reason, status := reasonUpstreamRefused, http.StatusBadRequest
		if errors.Is(err, upstream.ErrUnavailable) {
			reason, status = reasonUnavailable, http.StatusServiceUnavailable
		}
		h.cfg.Logger.InfoContext(ctx, "upstream logout token refused", "connector", u.ID, "err", err)
		h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLogout, Outcome: audit.Failure, Reason: reason, Detail: map[string]string{"connector": u.ID}})
		if status == http.StatusServiceUnavailable {
			logoutError(w, status, "temporarily_unavailable", "the upstream's keys could not be read")
			return
		}
		logoutError(w, status, "invalid_request", "the logout token was refused")
		return
	}
	ended, err := h.endUpstreamSessions(ctx, u.ID, l)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "upstream logout", "connector", u.ID, "err", err)
		logoutError(w, http.StatusInternalServerError, "server_error", "the sessions could not be ended")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "upstream logout", "connector", u.ID, "sessions", ended)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamLogout,
		Detail: map[string]string{"connector": u.ID, "subject": l.Subject, "sid": l.SID, "sessions": strconv.Itoa(ended)}})
	w.WriteHeader(http.StatusOK)
}

// endUpstreamSessions ends the sessions the connector started that the
// logout names, and returns how many.
func (h *Handler) endUpstreamSessions(ctx context.Context, connector string, l upstream.Logout) (int, error) {
	sessions, err := h.cfg.Store.ListUpstreamSessions(ctx, connector, l.Subject, l.SID)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, s := range sessions {
		switch err := h.cfg.Store.DeleteLoginSession(ctx, s.ID); {
		case err == nil:
			ended++
		case !errors.Is(err, storage.ErrNotFound):
			return ended, err
		}
	}
	return ended, nil
}

// logoutError answers a back-channel logout request with an RFC 6749
// section 5.2-shaped error.
func logoutError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
