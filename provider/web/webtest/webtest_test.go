package webtest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

func TestPagesRendersAndIsShared(t *testing.T) {
	t.Parallel()
	a, b := webtest.Pages(t), webtest.Pages(t)
	if a != b {
		t.Fatal("Pages returned two renderers; want the one shared renderer")
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	if err := a.Message(w, r, http.StatusOK, web.MessagePage{Title: "message.title", Message: "reset.done"}); err != nil {
		t.Fatalf("render: %v", err)
	}
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<html") {
		t.Fatalf("rendered %d %q; want a page", w.Code, w.Body.String())
	}
}
