package login

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
)

// UpstreamLoggedOutPath is where an upstream sends the browser back after
// ending its own session at our request, the connector's ID after it:
// the post_logout_redirect_uri to register there (issuer +
// UpstreamLoggedOutPath + ID).
const UpstreamLoggedOutPath = "/login/upstream/logged-out/"

// endSessionTTL is how long the browser may take at the upstream's
// end-session endpoint before coming back.
const endSessionTTL = 10 * time.Minute

// endSessionWait bounds how long our logout waits for the upstream's
// metadata (read once, then kept) before going on without it.
const endSessionWait = 5 * time.Second

// maxEndSessionState bounds the sealed state sent to the upstream and read
// back: a longer one (an app's very long state) is not sent, and our
// logout finishes as without the upstream.
const maxEndSessionState = 4 << 10

// endSessionLabel binds a sealed end-session state to its use.
const endSessionLabel = "upstream end-session state"

// endSessionState is where the browser goes once the upstream has ended
// its session: what our logout would have done, sealed into the state
// parameter the upstream returns. Nothing is stored server-side.
type endSessionState struct {
	Connector string `json:"c"`
	// RedirectURI and State are the app's post_logout_redirect_uri, as
	// our logout validated it, and its state; without RedirectURI, our
	// signed-out page in UILocales.
	RedirectURI string    `json:"r,omitempty"`
	State       string    `json:"s,omitempty"`
	UILocales   string    `json:"l,omitempty"`
	Until       time.Time `json:"t"`
}

// Why sending the browser to the upstream's end-session endpoint failed
// (the upstream.end_session record's reason).
const reasonStateTooLong = "state_too_long" // the sealed state would be longer than maxEndSessionState

// endSessionURL returns where to send the browser whose session signed
// ended (our session is over already) so that the upstream that signed it
// in ends its own: the connector's end-session endpoint with our
// logged-out address and a sealed state holding lr's destination. ok is
// false when the session came through no connector in use that ends
// upstream sessions, when the upstream has no end-session endpoint, or
// when the URL could not be made (the upstream out of reach: logged and
// recorded); our logout then finishes as without it.
func (h *Handler) endSessionURL(ctx context.Context, signed session.Signed, lr logoutRequest) (string, bool) {
	origin := session.OriginOf(signed.Session)
	if origin.Connector == "" {
		return "", false
	}
	u, known := h.upstreamByID(ctx, origin.Connector)
	if !known || u.Logout == nil || !u.EndUpstreamSession {
		return "", false
	}
	fail := func(reason string, err error) (string, bool) {
		h.cfg.Logger.WarnContext(ctx, "upstream end-session skipped", "connector", u.ID, "reason", reason, "err", err)
		h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamEndSession, Outcome: audit.Failure, Reason: reason, Subject: signed.User.ID,
			Detail: map[string]string{"connector": u.ID}}.ByUser(signed.User.ID))
		return "", false
	}
	state := h.seal(endSessionState{Connector: u.ID, RedirectURI: lr.redirectURI, State: lr.state, UILocales: lr.uiLocales,
		Until: h.cfg.Now().Add(endSessionTTL).UTC()}, endSessionLabel)
	if len(state) > maxEndSessionState {
		return fail(reasonStateTooLong, fmt.Errorf("sealed state of %d bytes, at most %d", len(state), maxEndSessionState))
	}
	wait, cancel := context.WithTimeout(ctx, endSessionWait)
	defer cancel()
	to, ok, err := u.Logout.EndSessionURL(wait, "", h.cfg.Issuer+UpstreamLoggedOutPath+u.ID, state)
	if err != nil {
		return fail(reasonUnavailable, err)
	}
	if !ok {
		// The upstream offers no RP-initiated logout: nothing to do there.
		return "", false
	}
	h.cfg.Logger.InfoContext(ctx, "upstream end-session", "connector", u.ID, "user_id", signed.User.ID)
	h.cfg.Audit.Try(ctx, audit.Event{Action: audit.UpstreamEndSession, Subject: signed.User.ID,
		Detail: map[string]string{"connector": u.ID}}.ByUser(signed.User.ID))
	return to, true
}

// upstreamLoggedOut is GET /login/upstream/logged-out/{id}: the upstream
// has ended its session and sends the browser back with the state we
// sealed. The browser goes on where our logout would have gone: the
// app's post_logout_redirect_uri with its state, or our signed-out page.
// Only a destination we sealed is followed, so this is no open
// redirector; a state altered, expired or another connector's gets a
// page saying so, and goes nowhere.
func (h *Handler) upstreamLoggedOut(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, ok := h.openEndSessionState(r.URL.Query().Get("state"))
	if !ok || st.Connector != id {
		h.cfg.Logger.InfoContext(r.Context(), "upstream end-session return refused", "connector", id, "opened", ok)
		h.message(w, r, http.StatusBadRequest, web.MessagePage{UILocales: st.UILocales,
			Title: "upstream_logout.title", Message: "upstream_logout.state_lost"})
		return
	}
	h.finishLogout(w, r, logoutRequest{redirectURI: st.RedirectURI, state: st.State, uiLocales: st.UILocales})
}

// openEndSessionState opens a state endSessionURL sealed: false when it is
// missing, too long, altered, sealed for another use, or expired.
func (h *Handler) openEndSessionState(raw string) (endSessionState, bool) {
	var st endSessionState
	if !h.open(raw, endSessionLabel, maxEndSessionState, &st) || st.Connector == "" || !h.cfg.Now().Before(st.Until) {
		return endSessionState{}, false
	}
	return st, true
}
