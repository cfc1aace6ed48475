package web

import (
	"net/url"
	"slices"
	"strings"
)

// maxLogoURI is the longest logo address the pages show, in bytes.
const maxLogoURI = 2048

// LogoAllowed reports whether uri may be an app's logo (storage.Client
// LogoURI): an absolute https URL naming a host, with no user name or
// password, at most 2 KiB long, whose origin a Content-Security-Policy can
// name. The portal refuses any other logo (portal.logo_invalid), and the
// pages show none that is not (one stored before this rule, or set
// elsewhere): never javascript:, data: or plain http, which would load
// over the network in clear.
func LogoAllowed(uri string) bool {
	_, ok := logoOrigin(uri)
	return ok
}

// logoOrigin is the CSP source expression of an allowed logo's origin.
func logoOrigin(uri string) (string, bool) {
	if uri == "" || len(uri) > maxLogoURI {
		return "", false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	origin, err := sourceOrigin(uri)
	return origin, err == nil
}

// logos keeps of uris those a page may show (LogoAllowed), each in its
// place ("" for one it may not), with their origins, once each.
func logos(uris ...string) (shown []string, origins []string) {
	shown = make([]string, len(uris))
	for i, u := range uris {
		if o, ok := logoOrigin(u); ok {
			shown[i] = u
			origins = append(origins, o)
		}
	}
	slices.Sort(origins)
	return shown, slices.Compact(origins)
}

// pageImgSrc is the pages' img-src directive: the site's own images and
// the QR codes drawn as data: URIs.
const pageImgSrc = "img-src 'self' data:"

// logoCSP is pageCSP with images also allowed from origins, the origins
// of the app logos a page shows. It names each origin rather than
// allowing any https: image, so that markup injected into a page still
// could not load an image (a beacon, or a request carrying the page's
// secrets in its URL) from a host of the attacker's choosing; the logos
// are loaded without a referrer (the pages send Referrer-Policy:
// no-referrer, and each <img> says so too).
func logoCSP(origins []string) string {
	if len(origins) == 0 {
		return pageCSP
	}
	return strings.Replace(pageCSP, pageImgSrc, pageImgSrc+" "+strings.Join(origins, " "), 1)
}
