package workspace_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/workspace"
)

// FuzzHandleAndName: any text is a handle and a name the rules accept,
// or a FieldError naming the field; an accepted one is what the store
// keeps (lower-case ASCII for a handle; text without control characters,
// at most 100 characters, for a name), and reads back unchanged.
func FuzzHandleAndName(f *testing.F) {
	for _, s := range []string{"acme", "ACME", "a", "-acme", "acme-", "default", "Acme Corp", " x ", "a\x00b", "\xff", "工作区", strings.Repeat("a", 41)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var bad *workspace.FieldError
		h, err := workspace.Handle(s)
		switch {
		case err != nil && (!errors.As(err, &bad) || bad.Field != "handle"):
			t.Fatalf("Handle(%q): %v, want a handle FieldError", s, err)
		case err == nil:
			if len(h) < workspace.MinHandle || len(h) > workspace.MaxHandle || strings.ToLower(h) != h || strings.ContainsFunc(h, func(r rune) bool { return r > unicode.MaxASCII }) {
				t.Fatalf("Handle(%q) = %q", s, h)
			}
			if again, err := workspace.Handle(h); err != nil || again != h {
				t.Fatalf("Handle(%q) = %q, then %q, %v", s, h, again, err)
			}
		}
		n, err := workspace.Name(s)
		switch {
		case err != nil && (!errors.As(err, &bad) || bad.Field != "name"):
			t.Fatalf("Name(%q): %v, want a name FieldError", s, err)
		case err == nil:
			if !utf8.ValidString(n) || n == "" || utf8.RuneCountInString(n) > workspace.MaxName || strings.ContainsFunc(n, unicode.IsControl) {
				t.Fatalf("Name(%q) = %q", s, n)
			}
			if again, err := workspace.Name(n); err != nil || again != n {
				t.Fatalf("Name(%q) = %q, then %q, %v", s, n, again, err)
			}
		}
	})
}

// FuzzInvitationPath: whatever follows /invitations/, the invitation
// page answers a page (a dead link, a wait, the sign-in) and never a
// server error.
func FuzzInvitationPath(f *testing.F) {
	for _, s := range []string{"abc", "%00", "%ff%fe", "a/b", "..", strings.Repeat("x", 300), "%2F%2E%2E"} {
		f.Add(s)
	}
	h := newPageHarness(f)
	f.Fuzz(func(t *testing.T, token string) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req := httptest.NewRequestWithContext(t.Context(), method, "/invitations/x", nil)
			req.URL.RawPath, req.URL.Path = "", "/invitations/"+token
			w := httptest.NewRecorder()
			h.mux.ServeHTTP(w, req)
			if w.Code >= 500 {
				t.Fatalf("%s /invitations/%q: %d", method, token, w.Code)
			}
		}
	})
}

// TestHandleNeverLooksLikeAnID: a workspace is named by its ID or its
// handle, so a handle shaped as another workspace's ID is refused, in
// any letter case.
func TestHandleNeverLooksLikeAnID(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "3F2A9C1E-5B7D-4E8F-9A0B-1C2D3E4F5A6B"} {
		var fe *workspace.FieldError
		if _, err := workspace.Handle(h); !errors.As(err, &fe) || fe.Field != "handle" {
			t.Fatalf("Handle(%q) = %v, want a handle FieldError", h, err)
		}
	}
	if _, err := workspace.Handle("acme-chat"); err != nil {
		t.Fatalf("an ordinary handle: %v", err)
	}
}
