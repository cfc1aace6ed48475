package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/rs"
)

// maxText bounds a message's text, in characters.
const maxText = 4000

// message is one stored message.
type message struct {
	ID   int       `json:"id"`
	From string    `json:"from"`
	To   string    `json:"to"`
	Text string    `json:"text"`
	Sent time.Time `json:"sent"`
	// Workspace is the workspace it was sent in, through a workspace's
	// route; empty for one sent through /messages.
	Workspace string `json:"workspace,omitempty"`
}

// service is the message API over an in-memory store.
type service struct {
	now      func() time.Time
	mu       sync.Mutex
	messages []message
}

func newService(now func() time.Time) *service { return &service{now: now} }

// The sign-in exporting a history needs (RFC 9470 step-up): two factors,
// at most ten minutes ago, whatever the token's scope.
const (
	exportACR    = rs.ACRTwoFactors
	exportMaxAge = 10 * time.Minute
)

// routes are the API, each route with the scope it needs and, for the
// export, the sign-in; the caller wraps them with the verifier's
// middleware.
func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /messages", rs.RequireScope("im:messages.send")(http.HandlerFunc(s.send)))
	mux.Handle("GET /messages", rs.RequireScope("im:messages.read")(http.HandlerFunc(s.list)))
	mux.Handle("POST /conversations/{id}/messages", s.sendRoute())
	mux.Handle("GET /messages/export", rs.RequireScope("im:messages.read")(
		rs.RequireAuth(exportACR, exportMaxAge)(http.HandlerFunc(s.export))))
	// A workspace's messages: only a token issued for that workspace
	// (its org_id or org_handle) gets through, whatever its scopes.
	inWorkspace := rs.RequireWorkspace(func(r *http.Request) string { return r.PathValue("ws") })
	mux.Handle("POST /workspaces/{ws}/messages", inWorkspace(rs.RequireScope("im:messages.send")(http.HandlerFunc(s.send))))
	mux.Handle("GET /workspaces/{ws}/messages", inWorkspace(rs.RequireScope("im:messages.read")(http.HandlerFunc(s.list))))
	return mux
}

// workspaceOf is the workspace a request on a workspace's route is in: the
// token's, which RequireWorkspace matched against the path; empty on the
// other routes.
func workspaceOf(r *http.Request) string {
	if r.PathValue("ws") == "" {
		return ""
	}
	id, _, _ := rs.Workspace(r)
	return id
}

// caller is who the token speaks for: the user, or for a client
// credentials token without a subject, the client.
func caller(r *http.Request) string {
	tok, _ := rs.FromContext(r.Context())
	if tok.Subject != "" {
		return tok.Subject
	}
	return tok.ClientID
}

func (s *service) send(w http.ResponseWriter, r *http.Request) {
	var in struct {
		To   string `json:"to"`
		Text string `json:"text"`
	}
	if !readMessage(w, r, &in, `{"to": ..., "text": ...}`) {
		return
	}
	in.To = strings.TrimSpace(in.To)
	if in.To == "" {
		writeError(w, http.StatusBadRequest, "The recipient (to) is missing.")
		return
	}
	text, ok := checkText(w, in.Text)
	if !ok {
		return
	}
	writeJSON(w, http.StatusCreated, s.store(caller(r), in.To, text, workspaceOf(r)))
}

// readMessage decodes the JSON body into in (shape names its members for
// the error), refusing unknown members and more than 64 KiB; it answers
// a bad body itself and returns false.
func readMessage(w http.ResponseWriter, r *http.Request, in any, shape string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The body must be a JSON object %s: %v.", shape, err))
		return false
	}
	return true
}

// checkText trims a message's text and checks it is there and not too
// long; it answers a bad one itself and returns false.
func checkText(w http.ResponseWriter, text string) (string, bool) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		writeError(w, http.StatusBadRequest, "The text is empty.")
		return "", false
	case utf8.RuneCountInString(text) > maxText:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The text is longer than %d characters.", maxText))
		return "", false
	}
	return text, true
}

// store keeps a message from from to to, sent in workspace (empty for a
// token that names none), and returns it.
func (s *service) store(from, to, text, workspace string) message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := message{ID: len(s.messages) + 1, From: from, To: to, Text: text, Sent: s.now().UTC(), Workspace: workspace}
	s.messages = append(s.messages, m)
	return m
}

func (s *service) list(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"messages": s.of(caller(r), workspaceOf(r))})
}

// export sends the caller's whole history as a file to download. It is
// the sensitive route: RequireAuth has checked the sign-in behind the
// token is recent and has two factors.
func (s *service) export(w http.ResponseWriter, r *http.Request) {
	who := caller(r)
	w.Header().Set("Content-Disposition", `attachment; filename="history.json"`)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"user": who, "exported": s.now().UTC(), "messages": s.of(who, "")})
}

// of returns the messages sent to or by who, oldest first: of the
// workspace ws only, unless ws is empty.
func (s *service) of(who, ws string) []message {
	out := []message{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if (m.To == who || m.From == who) && (ws == "" || m.Workspace == ws) {
			out = append(out, m)
		}
	}
	return out
}

// writeError answers an invalid request (RFC 6749 style body).
func writeError(w http.ResponseWriter, status int, description string) {
	writeJSON(w, status, map[string]string{"error": "invalid_request", "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
