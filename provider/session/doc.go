// Package session knows who is signed in to a browser and protects forms
// against cross-site request forgery.
//
// A sign-in creates a storage.LoginSession whose ID is the SHA-256 of a
// random cookie value: the cookie is HttpOnly, SameSite=Lax, Secure outside
// dev mode (with the __Host- prefix), and the database holds nothing a
// thief could replay. Every page form is protected by nosurf: a masked
// per-browser token in a hidden field, checked against its cookie in
// constant time, plus an Origin/Sec-Fetch-Site check.
package session
