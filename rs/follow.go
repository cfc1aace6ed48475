package rs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"crypto/sha256"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Event is one revocation the provider streams
// (GET /oauth2/revocations).
type Event struct {
	Seq         int64     `json:"seq"`
	Kind        string    `json:"kind"`
	Action      string    `json:"action"`
	Subject     string    `json:"subject"`
	ClientID    string    `json:"client_id"`
	TokenFamily string    `json:"token_family"`
	WorkspaceID string    `json:"workspace_id"`
	Reason      string    `json:"reason"`
	Time        time.Time `json:"time"`
}

// FollowRevocations subscribes to the provider's revocation stream as the
// resource server and drops from the cache, as each event arrives, the
// tokens it revokes: a token family, a user's grant to an app, every token
// of a user or of an app. It reconnects after a failure, resuming after
// the last event seen, and returns only when ctx is done. onEvent, when
// not nil, is called with each event after the cache has dropped what it
// revokes (a gateway closes the connections opened with those tokens
// there).
//
// A JWT access token checked locally is not in the cache: its revocation
// reaches only onEvent.
func (v *Verifier) FollowRevocations(ctx context.Context, onEvent func(Event)) error {
	last := ""
	backoff := 500 * time.Millisecond
	for {
		err := v.follow(ctx, &last, onEvent)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		v.cfg.Logger.WarnContext(ctx, "rs: revocation stream interrupted; reconnecting", "err", err, "after", last, "in", backoff)
		// What happened while disconnected is replayed on reconnection;
		// tokens cached meanwhile could still be revoked ones, so the
		// cache starts afresh.
		v.InvalidateAll()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// follow reads one connection of the stream until it ends.
func (v *Verifier) follow(ctx context.Context, last *string, onEvent func(Event)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+"/oauth2/revocations", nil)
	if err != nil {
		return fmt.Errorf("rs: revocation stream request: %w", err)
	}
	req.SetBasicAuth(url.QueryEscape(v.cfg.ClientID), url.QueryEscape(v.cfg.ClientSecret))
	req.Header.Set("Accept", "text/event-stream")
	if *last != "" {
		req.Header.Set("Last-Event-ID", *last)
	}
	// The configured client's timeout would cut the stream: the request's
	// context ends it.
	client := *v.cfg.HTTPClient
	client.Timeout = 0
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("rs: revocation stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rs: revocation stream: status %d", resp.StatusCode)
	}
	// The provider subscribes before it answers.
	if v.cfg.OnSubscribed != nil {
		v.cfg.OnSubscribed()
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var id, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data != "" {
				var e Event
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					return fmt.Errorf("rs: revocation event %s: %w", id, err)
				}
				v.apply(e)
				if onEvent != nil {
					onEvent(e)
				}
				if id != "" {
					*last = id
				}
			}
			id, data = "", ""
		case strings.HasPrefix(line, "id:"):
			id = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
		case strings.HasPrefix(line, "data:"):
			data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("rs: revocation stream: %w", err)
	}
	return errors.New("rs: the revocation stream ended")
}

// apply drops the cached tokens an event revokes.
func (v *Verifier) apply(e Event) {
	switch e.Kind {
	case "token":
		// The family, and the tokens exchanged from it (RFC 8693).
		v.drop(func(t Token) bool {
			return e.TokenFamily != "" && (t.ID == e.TokenFamily || slices.Contains(t.DerivedFrom, e.TokenFamily))
		})
	case "grant":
		// The client's tokens of the user, and the user's tokens exchanged
		// from any (which families the grant had is not told: every
		// exchanged token of the user is looked up again).
		v.drop(func(t Token) bool {
			return t.Subject == e.Subject && (t.ClientID == e.ClientID || len(t.DerivedFrom) > 0)
		})
	case "subject":
		v.InvalidateSubject(e.Subject)
	case "client":
		v.drop(func(t Token) bool { return t.ClientID == e.ClientID })
	case "workspace":
		// A member's tokens of a workspace, an installation's, or every
		// token of an app (or of anyone) there.
		v.drop(func(t Token) bool {
			return e.WorkspaceID != "" && t.WorkspaceID == e.WorkspaceID &&
				(e.Subject == "" || t.Subject == e.Subject) && (e.ClientID == "" || t.ClientID == e.ClientID)
		})
	default:
		// A kind this version does not know: be safe.
		v.InvalidateAll()
	}
}

// drop removes the cached active tokens match selects.
func (v *Verifier) drop(match func(Token) bool) {
	v.flight.forgetAll()
	v.invalidate(func(c *lru.Cache[[sha256.Size]byte, entry]) {
		for _, k := range c.Keys() {
			if e, ok := c.Peek(k); ok && e.active && match(e.token) {
				c.Remove(k)
			}
		}
	})
}
