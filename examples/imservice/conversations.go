package main

import (
	"net/http"

	"github.com/tokenim/tokenim-auth/rs"
)

// conversationLocation is the conversation a request names, as the
// provider's authorization_details locations spell it.
func conversationLocation(r *http.Request) string {
	return "conv:" + r.PathValue("id")
}

// sendRoute guards posting to one conversation: the token needs
// messages.send in that conversation (an authorization detail naming it)
// or im:messages.send for all of them.
func (s *service) sendRoute() http.Handler {
	return rs.RequireConversation("messages.send", conversationLocation)(http.HandlerFunc(s.sendTo))
}

// sendTo posts a message to the conversation of the path.
func (s *service) sendTo(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if !readMessage(w, r, &in, `{"text": ...}`) {
		return
	}
	if text, ok := checkText(w, in.Text); ok {
		writeJSON(w, http.StatusCreated, s.store(caller(r), conversationLocation(r), text, workspaceOf(r)))
	}
}
