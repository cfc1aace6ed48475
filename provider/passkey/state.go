package passkey

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// The ceremonies a state can belong to.
const (
	kindRegister = "register" // adding a passkey to a signed-in account
	kindLogin    = "login"    // signing in with any passkey (discoverable)
	kindSecond   = "second"   // one of a known user's passkeys: a second step, a step-up
)

// maxState bounds a sealed state sent back by a page: more than any real
// one (a challenge and a few credential IDs) and far less than a body.
const maxState = 8 << 10

// state is what a ceremony's second half needs of its first.
type state struct {
	Kind   string               `json:"k"`
	UserID string               `json:"u,omitempty"`
	Until  time.Time            `json:"t"`
	Data   webauthn.SessionData `json:"s"`
}

// label binds a sealed state to its ceremony and its user: a state made
// for one does not open for another.
func label(kind, userID string) string { return "passkey " + kind + " " + userID }

// seal returns the page's copy of a ceremony's state. Expiry is checked
// here, with the provider's clock, rather than by the library.
func (c *Ceremonies) seal(kind, userID string, sd *webauthn.SessionData) (string, error) {
	data := *sd
	data.Expires = time.Time{}
	b, err := json.Marshal(state{Kind: kind, UserID: userID, Until: c.cfg.Now().Add(c.cfg.Timeout).UTC(), Data: data})
	if err != nil {
		return "", fmt.Errorf("passkey: seal state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(c.cfg.Sealer.Seal(b, label(kind, userID))), nil
}

// open returns the state a page sent back for a ceremony of kind for
// userID: ErrCeremony when it is not one (altered, for another ceremony or
// user, too large) or its time is up.
func (c *Ceremonies) open(sealed, kind, userID string) (state, error) {
	if len(sealed) > maxState {
		return state{}, ErrCeremony
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return state{}, ErrCeremony
	}
	b, err := c.cfg.Sealer.Open(raw, label(kind, userID))
	if err != nil {
		return state{}, ErrCeremony
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil || s.Kind != kind || s.UserID != userID || !c.cfg.Now().Before(s.Until) {
		return state{}, ErrCeremony
	}
	return s, nil
}
