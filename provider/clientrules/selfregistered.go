package clientrules

import (
	"fmt"
	"net/url"
	"strings"
)

// Published is what a client that registers itself (RFC 7591) says of
// itself on the web, besides its redirect URIs and its JWKS URI: the
// client_uri, logo_uri, policy_uri and tos_uri of RFC 7591 section 2.
type Published struct {
	ClientURI, LogoURI, PolicyURI, TOSURI string
}

// CheckSelfRegistered returns what a client that registers itself must
// pass on top of Check (RFC 7591 section 5: the server checks the URIs
// a client gives, as nobody has looked at them), one Problem per field at
// fault, in the order of the fields: no redirect URI holds a wildcard;
// client_uri, logo_uri, policy_uri, tos_uri and jwks_uri are https URLs
// (or http on a loopback host, or in dev mode); and when client_uri is
// given, those URIs and every http or https redirect URI other than a
// loopback one are on its host, so that a client cannot borrow another
// site's name or send its users' codes to another site's address.
func CheckSelfRegistered(c Client, pub Published, dev bool) []Problem {
	var p problems
	for j, raw := range c.RedirectURIs {
		if strings.Contains(raw, "*") {
			p.addItem("redirect_uris", j, "must name one address, without a wildcard: %q", raw)
		}
	}
	host := ""
	if pub.ClientURI != "" {
		if u, msg := webURL(pub.ClientURI, dev); msg != "" {
			p.add("client_uri", "%s", msg)
		} else {
			host = strings.ToLower(u.Hostname())
		}
	}
	for _, f := range []struct{ field, raw string }{
		{"logo_uri", pub.LogoURI}, {"policy_uri", pub.PolicyURI}, {"tos_uri", pub.TOSURI}, {"jwks_uri", c.JWKSURI},
	} {
		if f.raw == "" {
			continue
		}
		u, msg := webURL(f.raw, dev)
		switch {
		case msg != "":
			p.add(f.field, "%s", msg)
		case host != "" && !strings.EqualFold(u.Hostname(), host):
			p.add(f.field, "must be on the host of client_uri, %s: %q", host, f.raw)
		}
	}
	if host == "" {
		return p
	}
	for j, raw := range c.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || IsLoopback(u.Hostname()) {
			continue
		}
		if !strings.EqualFold(u.Hostname(), host) {
			p.addItem("redirect_uris", j, "must be on the host of client_uri, %s (or a loopback address): %q", host, raw)
		}
	}
	return p
}

// webURL parses raw as an address a page links to: an absolute https URL
// (WebURLProblem) without a fragment. It returns the URL or what is wrong.
func webURL(raw string, dev bool) (*url.URL, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Sprintf("not a URL: %q", raw)
	}
	if msg := WebURLProblem(u, dev); msg != "" {
		return nil, fmt.Sprintf("%s: %q", msg, raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Sprintf("must not have a fragment: %q", raw)
	}
	return u, ""
}
