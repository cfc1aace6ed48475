package web

import (
	"net/url"
	"time"
)

// The console's part of dynamic client registration (provider/admin,
// provider/registration): the initial access tokens, on the apps page,
// and the mark of a self-registered app.

// AdminRegistrationToken is an initial access token as the console shows
// it: its prefix, never the token.
type AdminRegistrationToken struct {
	ID        string
	Name      string
	Prefix    string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero: not revoked
	MaxUses   int
	Uses      int
	// Usable: it can register a client now (not revoked, expired or used
	// up).
	Usable bool
}

type adminRegistrationTokenRow struct {
	AdminRegistrationToken
	Created, CreatedISO string
	Expires, ExpiresISO string
	Revoked, RevokedISO string
	RevokeURL           string
}

// RegistrationTokenLives are the lifetimes the console offers a new
// initial access token, as its form sends them.
func RegistrationTokenLives() []string { return []string{"1h", "24h", "168h", "720h"} }

// registrationTokenRows are the rows of the initial access tokens' table.
func registrationTokenRows(tokens []AdminRegistrationToken) []adminRegistrationTokenRow {
	var rows []adminRegistrationTokenRow
	for _, t := range tokens {
		row := adminRegistrationTokenRow{AdminRegistrationToken: t, RevokeURL: "/admin/registration-tokens/" + url.PathEscape(t.ID) + "/revoke"}
		row.Created, row.CreatedISO = formatTime(t.CreatedAt)
		row.Expires, row.ExpiresISO = formatTime(t.ExpiresAt)
		row.Revoked, row.RevokedISO = formatTime(t.RevokedAt)
		rows = append(rows, row)
	}
	return rows
}
