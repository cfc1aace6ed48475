package revocations

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzStartAfter: a subscriber's Last-Event-ID header (or after
// parameter) is a whole number the stream resumes after, or it is
// refused; Last-Event-ID wins over after; an event ID the stream sent
// (its Seq in decimal) comes back as that number.
func FuzzStartAfter(f *testing.F) {
	// Only refusals are served: an accepted resume point opens a stream
	// that runs until the client leaves.
	h := New(Config{Authenticate: func(context.Context, *http.Request) (string, error) { return "rs", nil }})
	f.Fuzz(func(t *testing.T, header, after string) {
		r := httptest.NewRequest(http.MethodGet, "/oauth2/revocations?"+url.Values{"after": {after}}.Encode(), nil)
		if header != "" {
			// What net/http would carry: a header value has no line
			// breaks or NUL, and its outer spaces are trimmed.
			if strings.ContainsAny(header, "\r\n\x00") {
				return
			}
			r.Header.Set("Last-Event-ID", header)
		}
		n, ok := startAfter(r)
		used := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
		if used == "" {
			used = after
		}
		switch {
		case !ok:
			if used == "" {
				t.Fatalf("no resume point (header %q, after %q) refused", header, after)
			}
			w := httptest.NewRecorder()
			h.stream(w, r)
			var body map[string]string
			if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &body) != nil || body["error"] != "invalid_request" || body["error_description"] == "" {
				t.Fatalf("a bad resume point %q got %d %s, want 400 invalid_request", used, w.Code, w.Body)
			}
		case used == "":
			if n != -1 {
				t.Fatalf("no resume point gave %d, want -1 (from now on)", n)
			}
		default:
			want, err := strconv.ParseInt(used, 10, 64)
			if err != nil || want < 0 || n != want {
				t.Fatalf("startAfter(header %q, after %q) = %d, accepted; %q is not that event ID", header, after, n, used)
			}
		}

		// The round trip of an ID the stream sends: "id: <Seq>".
		if ok && n >= 0 {
			echo := httptest.NewRequest(http.MethodGet, "/oauth2/revocations?after=junk", nil)
			echo.Header.Set("Last-Event-ID", strconv.FormatInt(n, 10))
			if got, ok := startAfter(echo); !ok || got != n {
				t.Fatalf("Last-Event-ID %d came back as %d, %v", n, got, ok)
			}
		}
	})
}
