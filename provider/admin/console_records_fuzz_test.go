package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// FuzzRecordFilter: any query of the records page is read as a filter
// or refused as a bad one (errBadFilter: the page's 400), never as a
// failure; a filter read has a known action and outcome and UTC bounds;
// the filter written back as a query (the Older link's) reads the same;
// and a cursor the page writes reads back as the record it came from.
func FuzzRecordFilter(f *testing.F) {
	store := memory.New()
	c := NewConsole(New(Config{Store: store}), ConsoleConfig{Store: store})
	f.Fuzz(func(t *testing.T, query, before string) {
		q, _ := url.ParseQuery(query) // what a bad query lets through is read
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/admin/records", nil)
		in, filter, err := c.recordFilter(r, viewer{platform: true}, q)
		if err != nil {
			if !errors.Is(err, errBadFilter) {
				t.Fatalf("query %q: %v, want a bad filter", query, err)
			}
		} else {
			if filter.Actions != nil && (len(filter.Actions) != 1 || !slices.Contains(audit.Actions(), filter.Actions[0])) {
				t.Fatalf("query %q: actions %q", query, filter.Actions)
			}
			if filter.Outcome != "" && filter.Outcome != audit.Success && filter.Outcome != audit.Failure {
				t.Fatalf("query %q: outcome %q", query, filter.Outcome)
			}
			for _, bound := range []time.Time{filter.From, filter.To} {
				if !bound.IsZero() && bound.Location() != time.UTC {
					t.Fatalf("query %q: bound %v is not in UTC", query, bound)
				}
			}
			in2, filter2, err := c.recordFilter(r, viewer{platform: true}, filterQuery(in))
			if err != nil || in2 != in || !reflect.DeepEqual(filter2, filter) {
				t.Fatalf("query %q read as %+v / %+v; written back and read again: %+v / %+v, %v", query, in, filter, in2, filter2, err)
			}
		}

		at, ok := cursor(before)
		if !ok {
			return
		}
		if at.Time.Location() != time.UTC {
			t.Fatalf("cursor %q: time %v not in UTC", before, at.Time)
		}
		again, ok := cursor(cursorParam(storage.AuditRecord{Time: at.Time, ID: at.ID}))
		if !ok || again != at {
			t.Fatalf("cursor %q read as %+v, written and read again as %+v, %v", before, at, again, ok)
		}
	})
}

// FuzzAdminBearer: whatever the Authorization header of an admin API
// call holds, the answer is the resource, or 401/403 with an RFC 6750
// challenge and an RFC 6749-shaped JSON error; the token checked is
// exactly what follows the Bearer scheme, and only the admin token
// reaches the resource.
func FuzzAdminBearer(f *testing.F) {
	const good = "tkm_at_admin-token"
	var checked string
	store := memory.New()
	if err := store.CreateClient(f.Context(), storage.Client{ID: "ops-bot", Scopes: []string{"admin"}}); err != nil {
		f.Fatal(err)
	}
	a := New(Config{Store: store, Authenticate: func(_ context.Context, token string) (string, string, []string, error) {
		checked = token
		if token == good {
			return "ops-bot", "", []string{"admin"}, nil
		}
		if token == "user-token" {
			return "app", "u-ann", []string{"admin"}, nil
		}
		return "", "", nil, errors.New("inactive")
	}})
	mux := http.NewServeMux()
	a.Mount(mux)
	f.Fuzz(func(t *testing.T, header string) {
		if strings.ContainsAny(header, "\r\n\x00") {
			return // no such header value reaches a handler
		}
		header = strings.Trim(header, " \t") // as net/http reads it
		checked = ""
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/admin/api/v1/users", nil)
		r.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)

		scheme, token, _ := strings.Cut(header, " ")
		bearer := strings.EqualFold(scheme, "Bearer") && token != ""
		if bearer && checked != token {
			t.Fatalf("Authorization %q: checked %q, want %q", header, checked, token)
		}
		if !bearer && checked != "" {
			t.Fatalf("Authorization %q is no bearer token, but %q was checked", header, checked)
		}
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("Authorization %q: %d, body not JSON: %s", header, w.Code, w.Body)
		}
		switch {
		case w.Code == http.StatusOK:
			if !bearer || token != good {
				t.Fatalf("Authorization %q reached the resource", header)
			}
		case w.Code == http.StatusUnauthorized || w.Code == http.StatusForbidden:
			if bearer && token == good {
				t.Fatalf("the admin token was refused: %d %s", w.Code, w.Body)
			}
			e, _ := body["error"].(string)
			d, _ := body["error_description"].(string)
			if e == "" || d == "" || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer realm=") {
				t.Fatalf("Authorization %q: %d without an RFC 6750 error: %s %q", header, w.Code, w.Body, w.Header().Get("WWW-Authenticate"))
			}
		default:
			t.Fatalf("Authorization %q: %d %s", header, w.Code, w.Body)
		}
	})
}
