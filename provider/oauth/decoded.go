package oauth

import (
	"bytes"
	"maps"
	"slices"
	"sync"

	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"
)

// decoded keeps the requests of recently read access tokens decoded:
// resource servers introspect the same tokens over and over, and decoding
// the stored JSON was the largest cost of an introspection. An entry is
// used only when the stored bytes it was decoded from are the ones read
// now, so it is never stale; whether the token is still active is read
// from storage every time.
type decoded struct {
	mu  sync.Mutex
	max int
	m   map[string]*decodedRequest
}

type decodedRequest struct {
	raw     []byte
	request storedRequest
	session openid.DefaultSession
}

func newDecoded(max int) *decoded {
	return &decoded{max: max, m: make(map[string]*decodedRequest, max)}
}

// get fills session from the entry of signature decoded from raw and
// returns its request, or false.
func (d *decoded) get(signature string, raw []byte, session *openid.DefaultSession) (storedRequest, bool) {
	d.mu.Lock()
	e, ok := d.m[signature]
	d.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return storedRequest{}, false
	}
	copySession(session, &e.session)
	sr := e.request
	sr.RequestedScope = slices.Clone(sr.RequestedScope)
	sr.GrantedScope = slices.Clone(sr.GrantedScope)
	sr.RequestedAudience = slices.Clone(sr.RequestedAudience)
	sr.GrantedAudience = slices.Clone(sr.GrantedAudience)
	sr.Form = maps.Clone(sr.Form)
	return sr, true
}

// put keeps a copy of what raw decoded to.
func (d *decoded) put(signature string, raw []byte, sr storedRequest, session *openid.DefaultSession) {
	e := &decodedRequest{raw: slices.Clone(raw), request: sr}
	e.request.Session = nil
	copySession(&e.session, session)
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.m) >= d.max {
		for k := range d.m {
			delete(d.m, k)
			break
		}
	}
	d.m[signature] = e
}

// copySession makes dst a copy of src that shares nothing fosite might
// change.
func copySession(dst, src *openid.DefaultSession) {
	*dst = *src
	if src.Claims != nil {
		c := *src.Claims
		c.Audience = slices.Clone(c.Audience)
		c.AuthenticationMethodsReferences = slices.Clone(c.AuthenticationMethodsReferences)
		c.Extra = maps.Clone(c.Extra)
		dst.Claims = &c
	}
	if src.Headers != nil {
		dst.Headers = &jwt.Headers{Extra: maps.Clone(src.Headers.Extra)}
	}
	dst.ExpiresAt = maps.Clone(src.ExpiresAt)
}
