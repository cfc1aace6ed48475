package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

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
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The body must be a JSON object {\"text\": ...}: %v.", err))
		return
	}
	in.Text = strings.TrimSpace(in.Text)
	switch {
	case in.Text == "":
		writeError(w, http.StatusBadRequest, "The text is empty.")
		return
	case utf8.RuneCountInString(in.Text) > maxText:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The text is longer than %d characters.", maxText))
		return
	}
	writeJSON(w, http.StatusCreated, s.store(caller(r), conversationLocation(r), in.Text))
}
