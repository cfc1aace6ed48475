package edge

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// MaxFormBytes bounds the form body PeekForm reads: the protocol
// endpoints' bound on a form (provider/oauth refuses a longer one), and
// more than any page posts.
const MaxFormBytes = 64 << 10

const formType = "application/x-www-form-urlencoded"

// PeekForm reads the request's application/x-www-form-urlencoded body
// without taking it from the handler: the bytes read are put back in front
// of the rest, so the handler reads — and refuses, if it is malformed or
// too long — exactly what the client sent. It returns the raw body, and
// whether r has such a body at all (a POST, PUT or PATCH with that content
// type) and it fits in MaxFormBytes: for a longer one the second result is
// false and only MaxFormBytes+1 bytes have been read.
//
// A body peeked already and not read since is not read again: the rate
// limits and the edge checks both peek a protocol request's form, and the
// second gets the first one's bytes.
func PeekForm(r *http.Request) (body []byte, hasForm, fits bool) {
	if !formBody(r) {
		return nil, false, false
	}
	if p, ok := r.Body.(*peeked); ok && p.unread() {
		return p.body(), true, p.fits
	}
	rest := r.Body
	buf, err := io.ReadAll(io.LimitReader(rest, MaxFormBytes+1))
	p := &peeked{buf: buf, fits: err == nil && len(buf) <= MaxFormBytes, head: bytes.NewReader(buf), rest: rest}
	p.Reader = io.MultiReader(p.head, rest)
	r.Body = p
	return p.body(), true, p.fits
}

// PeekValues is PeekForm parsed: the form's values, or nil when r has no
// form body, a longer one than MaxFormBytes, or a malformed one.
func PeekValues(r *http.Request) url.Values {
	body, _, fits := PeekForm(r)
	if !fits {
		return nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	return v
}

// formBody reports whether r carries a body http.Request.ParseForm reads
// as a form.
func formBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == formType {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == formType
}

// peeked is a request body whose first bytes PeekForm has read: it
// reads them again, then the rest.
type peeked struct {
	io.Reader // head, then rest
	buf       []byte
	fits      bool
	head      *bytes.Reader
	rest      io.ReadCloser
}

func (p *peeked) Close() error { return p.rest.Close() }

// unread reports whether nothing has been read from the body since it
// was peeked.
func (p *peeked) unread() bool { return p.head.Len() == len(p.buf) }

// body is the peeked form, nil when it was longer than MaxFormBytes or
// could not be read.
func (p *peeked) body() []byte {
	if !p.fits {
		return nil
	}
	return p.buf
}
