package revocations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/storage"
)

// Chain reads the sealed authorization records in chain order.
type Chain interface {
	ChainAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditRecord, error)
	AuditChain(ctx context.Context) (storage.AuditChain, error)
}

// Authenticate authenticates the client of r and returns its ID; it
// returns ErrForbidden (wrapped) for a client that authenticated but may
// not subscribe.
type Authenticate func(ctx context.Context, r *http.Request) (clientID string, err error)

// ErrForbidden marks an authenticated client that is not a resource
// server.
var ErrForbidden = errors.New("revocations: not a resource server")

// Config holds the stream's dependencies.
type Config struct {
	Store        Chain
	Authenticate Authenticate
	// Poll is how often the chain is read for new events (default
	// 200ms): a revocation reaches subscribers within the sealer's delay
	// plus this.
	Poll time.Duration
	// KeepAlive is how often an idle stream gets a comment line (default
	// 15s), so proxies keep it open and a dead peer is noticed.
	KeepAlive time.Duration
	Logger    *slog.Logger
}

// Handler serves the stream.
type Handler struct {
	cfg       Config
	broker    *broker
	done      chan struct{}
	closeOnce sync.Once
}

// New returns the handler.
func New(cfg Config) *Handler {
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	cfg.Logger = defaults.Logger(cfg.Logger)
	return &Handler{cfg: cfg, broker: newBroker(cfg.Store, cfg.Poll, cfg.Logger), done: make(chan struct{})}
}

// Close ends every open stream (the server is shutting down: streams
// never end by themselves); their clients reconnect, to another node or
// later, with Last-Event-ID.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.done) })
}

// Mount registers the route.
func (h *Handler) Mount(mux Mux) {
	mux.HandleFunc("GET /oauth2/revocations", h.stream)
}

// Event is one revocation as the stream sends it.
type Event struct {
	Seq         int64     `json:"seq"`
	Kind        string    `json:"kind"`
	Action      string    `json:"action"`
	Subject     string    `json:"subject,omitempty"`
	ClientID    string    `json:"client_id,omitempty"`
	TokenFamily string    `json:"token_family,omitempty"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Time        time.Time `json:"time"`
}

// Kinds of event.
const (
	KindToken   = "token"
	KindGrant   = "grant"
	KindSubject = "subject"
	KindClient  = "client"
	// KindWorkspace: every token of Subject for WorkspaceID (a member
	// removed, leaving, suspended or given another role; an app's
	// installation, whose ID is the subject of its bot tokens,
	// uninstalled), or, when Subject is empty, every token for
	// WorkspaceID: of ClientID when it is set (the app's installation
	// narrowed), of every client otherwise (the workspace deleted).
	KindWorkspace = "workspace"
)

// eventOf returns the revocation a record stands for, if it stands for
// one.
func eventOf(r storage.AuditRecord) (Event, bool) {
	e := Event{Seq: r.Seq, Action: r.Action, Subject: r.Subject, ClientID: r.ClientID, WorkspaceID: r.WorkspaceID, Reason: r.Reason, Time: r.Time}
	switch r.Action {
	case audit.TokenRevoked, audit.RefreshReuse:
		e.Kind, e.TokenFamily = KindToken, r.Detail["token_family"]
	case audit.ConsentWithdrawn:
		e.Kind = KindGrant
	case audit.UserDisabled, audit.PasswordReset, audit.SignOutEverywhere, audit.MFAReset, audit.RoleChanged:
		e.Kind = KindSubject
	case audit.MemberRemoved, audit.MemberLeft, audit.MemberRoleChanged, audit.WorkspaceDeleted, audit.SCIMUserSuspended, audit.SCIMUserRemoved,
		audit.AppUninstalled:
		e.Kind = KindWorkspace
	case audit.InstallApproved:
		// An approval that took installed scopes away revoked every token
		// of the app for the workspace, its bot's and its members'.
		if r.Detail["dropped"] == "" {
			return e, false
		}
		e.Kind, e.Subject = KindWorkspace, ""
	case audit.AppDeleted:
		e.Kind = KindClient
	case audit.AppChanged:
		if r.Detail["disabled"] != "true" {
			return e, false
		}
		e.Kind = KindClient
	default:
		return e, false
	}
	if r.Outcome != audit.Success && r.Action != audit.RefreshReuse {
		return e, false
	}
	return e, true
}

// page is how many records one read of the chain takes.
const page = 500

func (h *Handler) stream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clientID, err := h.cfg.Authenticate(ctx, r)
	switch {
	case errors.Is(err, ErrForbidden):
		writeError(w, http.StatusForbidden, "access_denied", "Only resource-server clients may subscribe to revocations.")
		return
	case err != nil:
		w.Header().Set("WWW-Authenticate", `Basic realm="tokenim-auth"`)
		writeError(w, http.StatusUnauthorized, "invalid_client", "Authenticate as a resource-server client (HTTP Basic with its secret).")
		return
	}
	after, ok := startAfter(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_request", "Last-Event-ID (or after) must be an event ID: a whole number.")
		return
	}
	feed, from, leave, err := h.broker.subscribe(ctx)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "revocation stream: subscribe", "err", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "The revocation stream cannot start now; retry.")
		return
	}
	defer leave()
	if after < 0 {
		after = from
	}
	rc := http.NewResponseController(w)
	// A stream outlives the server's write timeout.
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The retry hint, and a first line so that the client sees the
	// stream open at once.
	fmt.Fprintf(w, "retry: 1000\n: subscribed after %d\n\n", after)
	if err := rc.Flush(); err != nil {
		return
	}
	h.cfg.Logger.InfoContext(ctx, "revocation stream opened", "client_id", clientID, "after", after)
	send := func(events []Event) error {
		for _, e := range events {
			if e.Seq <= after {
				continue // sent already (read from the chain before the feed)
			}
			data, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\nevent: revocation\ndata: %s\n\n", e.Seq, data)
			after = e.Seq
		}
		return rc.Flush()
	}
	// What lies between the resume point and the feed's start comes from
	// the chain; the feed has the rest.
	if after < from {
		missed, _, err := read(ctx, h.cfg.Store, after, from)
		if err != nil {
			h.cfg.Logger.WarnContext(ctx, "revocation stream: catch up", "err", err)
			return
		}
		if err := send(missed); err != nil {
			return
		}
	}
	keepAlive := time.NewTicker(h.cfg.KeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case events, ok := <-feed:
			if !ok {
				return // fell behind: the client resumes with Last-Event-ID
			}
			if err := send(events); err != nil {
				return
			}
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// startAfter returns the event ID to resume after (Last-Event-ID, else the
// after parameter), -1 for "from now on", and false when it is not a
// number.
func startAfter(r *http.Request) (int64, bool) {
	v := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return -1, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
