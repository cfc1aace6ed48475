package edge_test

import (
	"bytes"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/edge"
)

// FuzzEscapedText checks the edge's check of a query or form against the
// standard library's decoding: it agrees with Text of the decoded string
// when every escape is well formed, and whatever it accepts parses into
// keys and values that are all Text, the property the handlers rely on.
func FuzzEscapedText(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "flow=%ff%fe", "a=%00", "%e4%b8", "name=%E5%BC%A0", "x=%zz", "%", "a%2", "\xff=1", "q=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := edge.EscapedText(s)
		if plain, err := url.PathUnescape(s); err == nil && ok != edge.Text(plain) {
			t.Fatalf("EscapedText(%q) = %t, but the decoded %q is Text: %t", s, ok, plain, edge.Text(plain))
		}
		if !ok {
			return
		}
		values, _ := url.ParseQuery(s)
		for k, vs := range values {
			if !edge.Text(k) {
				t.Fatalf("%q accepted, but its key %q is not text", s, k)
			}
			for _, v := range vs {
				if !edge.Text(v) {
					t.Fatalf("%q accepted, but its value %q is not text", s, v)
				}
			}
		}
	})
}

// FuzzPeekForm checks that peeking at a form never takes a byte from the
// handler, and gives the whole body when it fits.
func FuzzPeekForm(f *testing.F) {
	for _, s := range []string{"", "grant_type=client_credentials", "token=%ff", "a=" + string(bytes.Repeat([]byte("x"), 100))} {
		f.Add([]byte(s), "application/x-www-form-urlencoded")
	}
	f.Add([]byte("a=1"), "text/plain")
	f.Add([]byte("a=1"), "application/x-www-form-urlencoded; charset=\"")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		req := httptest.NewRequest("POST", "/oauth2/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		peeked, hasForm, fits := edge.PeekForm(req)
		if hasForm && fits && !bytes.Equal(peeked, body) {
			t.Fatalf("peeked %q of %q", peeked, body)
		}
		if fits && len(body) > edge.MaxFormBytes {
			t.Fatalf("a body of %d bytes said to fit", len(body))
		}
		_ = edge.PeekValues(req)
		rest, err := io.ReadAll(req.Body)
		if err != nil || !bytes.Equal(rest, body) {
			t.Fatalf("the handler read %q (%v), the client sent %q", rest, err, body)
		}
	})
}
