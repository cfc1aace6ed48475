package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// A developer makes an app require DPoP-bound tokens (RFC 9449 section
// 5.2) when registering it, a service too, and clears it by unticking the
// box on its page; each change is recorded.
func TestDPoPRequirementInThePortal(t *testing.T) {
	h := newPortal(t)
	c, rec := h.created(t, webApp("dpop_bound_access_tokens", "true"))
	if !c.DPoPBoundAccessTokens || rec.Detail["dpop_bound_access_tokens"] != "true" {
		t.Fatalf("created: flag %v, detail %v; want the app requiring DPoP, recorded", c.DPoPBoundAccessTokens, rec.Detail)
	}
	page := webtest.Serve(h.mux, webtest.Get(t, "/apps/"+c.ID)).Body.String()
	if !strings.Contains(page, `name="dpop_bound_access_tokens" value="true" aria-describedby="dpop-hint" checked>`) {
		t.Fatalf("the app's page does not show the box ticked:\n%s", page)
	}
	edit := webApp()
	edit.Del("kind")
	if w := h.post(t, "/apps/"+c.ID, edit); w.Code != http.StatusOK {
		t.Fatalf("save: status %d:\n%s", w.Code, w.Body)
	}
	if c, _ = h.store.GetClient(t.Context(), c.ID); c.DPoPBoundAccessTokens {
		t.Fatal("the app still requires DPoP after the box was unticked")
	}
	if d := h.records(t, audit.AppChanged)[0].Detail; d["dpop_bound_access_tokens"] != "false" {
		t.Errorf("unticking records %v", d)
	}

	h2 := newPortal(t)
	bot, _ := h2.created(t, url.Values{"name": {"Bot"}, "kind": {"service"}, "dpop_bound_access_tokens": {"true"}})
	if !bot.DPoPBoundAccessTokens {
		t.Fatal("a service cannot require DPoP")
	}
}

// While DPoP is off, the form is refused with a message saying why, and
// nothing is stored.
func TestDPoPRequirementRefusedWhileOff(t *testing.T) {
	h := newPortal(t)
	h.handler.cfg.DPoPOff = true
	w := h.post(t, "/apps", webApp("dpop_bound_access_tokens", "true"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "DPoP is turned off on this server") || !strings.Contains(w.Body.String(), `role="alert"`) {
		t.Fatalf("status %d, want 400 with the form saying DPoP is off:\n%s", w.Code, w.Body)
	}
	if n := len(h.records(t, audit.AppCreated)); n != 0 {
		t.Fatalf("a refused form left %d records", n)
	}
}
