// Package relyingparty holds the rule for the WebAuthn relying party the
// provider is: which host name passkeys are bound to (the relying-party
// ID) and which origins may use them. The configuration checks it when it
// loads, and provider/passkey when it starts, through the same functions.
package relyingparty

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// FromIssuer returns the relying-party ID and origins of an issuer: its
// host name, and its origin. ok is false when passkeys cannot work there:
// browsers offer WebAuthn only on a host name (not an IP address) and in
// a secure context (https, or http on localhost).
func FromIssuer(issuer string) (rpID string, origins []string, ok bool) {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", nil, false
	}
	rpID, origins = u.Hostname(), []string{u.Scheme + "://" + u.Host}
	return rpID, origins, Check(rpID, origins) == nil
}

// Check reports whether each origin may use rpID: an origin
// (scheme://host[:port], nothing more) whose host is rpID or a subdomain
// of it (WebAuthn Level 3 §5.1.3), served over https unless its host is localhost.
func Check(rpID string, origins []string) error {
	if rpID == "" || strings.ContainsAny(rpID, "/:@ \\[]") {
		return fmt.Errorf("relying-party ID %q is not a host name", rpID)
	}
	if net.ParseIP(rpID) != nil {
		return fmt.Errorf("relying-party ID %q is an IP address: browsers offer passkeys on host names only", rpID)
	}
	if len(origins) == 0 {
		return errors.New("no origins")
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("origin %q is not scheme://host[:port]", o)
		}
		host := u.Hostname()
		if host != rpID && !strings.HasSuffix(host, "."+rpID) {
			return fmt.Errorf("origin %q is not on %q or a subdomain of it", o, rpID)
		}
		if u.Scheme != "https" && (u.Scheme != "http" || !loopback(host)) {
			return fmt.Errorf("origin %q must use https (http only for localhost)", o)
		}
	}
	return nil
}

func loopback(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
