package web

import (
	"encoding/json"
	"net/http"
)

// passkeyScript is the script of the pages that use passkeys: the sign-in
// page, the second step and the account page. It is the only script the
// pages run.
const passkeyScript = "passkey.js"

// Text returns the text of message key in the language a page for req
// would be in (ui_locales first): for answers that are not pages, such as
// the JSON errors the passkey script shows. An unknown key gives the
// generic error text.
func (r *Renderer) Text(req *http.Request, uiLocales, key string) string {
	return r.message(req.Context(), r.Locale(req, uiLocales), "text", key)
}

// JSON answers with v as JSON that no cache may keep: the provider's JSON
// endpoints (the token endpoint's family, the admin API, and the
// passkey script's).
func JSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
