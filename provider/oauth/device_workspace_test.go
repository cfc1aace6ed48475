package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// deviceWorkspaceHarness is the workspace harness with a device app, TV,
// issuing JWT access tokens, and the keys of the device codes.
type deviceWorkspaceHarness struct {
	*wsHarness
	codes devicecode.Keyed
}

func newDeviceWorkspaceHarness(t *testing.T, store storage.Store, options ...func(*oauth.Config)) *deviceWorkspaceHarness {
	t.Helper()
	ring, err := secret.NewKeyring(systemSecret)
	if err != nil {
		t.Fatal(err)
	}
	// Keyed as newHarness keys the provider's.
	codes, err := devicecode.NewKeyed(ring.Derive(secret.PurposeDeviceCodes))
	if err != nil {
		t.Fatal(err)
	}
	h := &deviceWorkspaceHarness{wsHarness: newWorkspaceHarness(t, store, options...), codes: codes}
	h.addClient(storage.Client{ID: "tv", Name: "Meeting room", Type: storage.ClientPublic, AccessTokenFormat: storage.AccessTokenJWT,
		GrantTypes: []string{deviceGrant, "refresh_token"}, Scopes: []string{"openid", "offline_access", "im:messages.read", "im:messages.send"}})
	return h
}

// ask is the device authorization request of TV with extra parameters.
func (h *deviceWorkspaceHarness) ask(scope string, extra url.Values) reply {
	form := url.Values{"client_id": {"tv"}, "scope": {scope}}
	for k, v := range extra {
		form[k] = v
	}
	return h.post("/oauth2/device/auth", form, "", "")
}

// approve decides the request of the user code as the device page does
// when Ann approves it for the workspace workspaceID, and returns it.
func (h *deviceWorkspaceHarness) approve(t *testing.T, userCode, workspaceID string, scopes ...string) storage.DeviceAuthorization {
	t.Helper()
	ctx := t.Context()
	code, err := devicecode.Normalize(userCode)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.store.GetDeviceAuthorizationByUserCode(ctx, h.codes.UserCode(code))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	d, err = h.store.UpdateDeviceAuthorization(ctx, d.DeviceCodeSignature, func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
		d.Status, d.UserID, d.GrantedScopes, d.WorkspaceID = storage.DeviceApproved, "ann", scopes, workspaceID
		d.LoginSessionID, d.AuthTime, d.AMR, d.ACR, d.DecidedAt = "ann-session", now, []string{"pwd"}, "1", now
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (h *deviceWorkspaceHarness) poll(code string) reply {
	return h.post("/oauth2/token", url.Values{"client_id": {"tv"}, "grant_type": {deviceGrant}, "device_code": {code}}, "", "")
}

// The device authorization endpoint takes the organization parameter as
// the authorization endpoint does (handle in any case, or ID) and stores
// the workspace on the request; an unknown one is invalid_request naming
// it.
func TestDeviceAuthorizationNamesTheWorkspace(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newDeviceWorkspaceHarness(t, hh.store)
		for _, org := range []string{"acme", "ACME", "w-acme"} {
			r := h.ask("openid", url.Values{"organization": {org}})
			if r.status != http.StatusOK {
				t.Fatalf("organization %q: %d %s", org, r.status, r.raw)
			}
			code, _ := devicecode.Normalize(r.str("user_code"))
			d, err := h.store.GetDeviceAuthorizationByUserCode(t.Context(), h.codes.UserCode(code))
			if err != nil || d.WorkspaceID != "w-acme" {
				t.Fatalf("organization %q stored %+v, %v; want workspace w-acme", org, d, err)
			}
		}
		for _, org := range []string{"nope", "w-nope", "a\x00b", "\xff"} {
			r := h.ask("openid", url.Values{"organization": {org}})
			wantError(t, r, http.StatusBadRequest, "invalid_request")
			if !strings.Contains(r.str("error_description"), "organization") {
				t.Errorf("organization %q: %s, want a description naming the organization", org, r.raw)
			}
		}
	})
}

// The tokens of an approved device code are the workspace's: the ID
// token, the JWT access token, introspection and userinfo name it, the
// stored tokens carry it (removing the member revokes them), and a
// refresh keeps it.
func TestDeviceTokensCarryTheWorkspace(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newDeviceWorkspaceHarness(t, hh.store)
		rsSecret := h.resourceServer("im-gateway")
		r := h.ask("openid offline_access im:messages.send", url.Values{"organization": {"acme"}})
		h.approve(t, r.str("user_code"), "w-acme", "openid", "offline_access", "im:messages.send")
		tokens := h.poll(r.str("device_code"))
		if tokens.status != http.StatusOK {
			t.Fatalf("token: %d %s", tokens.status, tokens.raw)
		}
		wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-acme", "acme")
		wantOrg(t, "JWT access token", unverifiedClaims(t, tokens.str("access_token")), "w-acme", "acme")
		in := h.introspect(tokens.str("access_token"), "im-gateway", rsSecret)
		if !active(in) {
			t.Fatalf("introspection: %s", in.raw)
		}
		wantOrg(t, "introspection", in.body, "w-acme", "acme")
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/userinfo"), nil)
		req.Header.Set("Authorization", "Bearer "+tokens.str("access_token"))
		wantOrg(t, "userinfo", h.do(req).body, "w-acme", "acme")

		refreshed := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens.str("refresh_token")}, "client_id": {"tv"}}, "", "")
		if refreshed.status != http.StatusOK {
			t.Fatalf("refresh: %s", refreshed.raw)
		}
		wantOrg(t, "refreshed access token", unverifiedClaims(t, refreshed.str("access_token")), "w-acme", "acme")
		wantOrg(t, "refreshed ID token", unverifiedClaims(t, refreshed.str("id_token")), "w-acme", "acme")

		if n, err := h.store.RevokeSubjectWorkspace(t.Context(), "ann", "w-beta"); err != nil || n != 0 {
			t.Fatalf("revoking beta's tokens revoked %d, %v; want none of acme's", n, err)
		}
		if n, err := h.store.RevokeSubjectWorkspace(t.Context(), "ann", "w-acme"); err != nil || n == 0 {
			t.Fatalf("revoking acme's tokens revoked %d, %v; want the device's", n, err)
		}
		if active(h.introspect(refreshed.str("access_token"), "im-gateway", rsSecret)) {
			t.Error("the device's acme token is active after its workspace's tokens were revoked")
		}
	})
}

// A code approved for a workspace brings no token once the user's
// membership there ended or was suspended before the device redeemed it:
// the tokens of a removed member die at once, and none may come after.
func TestDeviceCodeOfAFormerMemberIsDenied(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newDeviceWorkspaceHarness(t, hh.store)
		ctx := t.Context()
		removed := h.ask("openid im:messages.read", url.Values{"organization": {"beta"}})
		h.approve(t, removed.str("user_code"), "w-beta", "openid", "im:messages.read")
		suspended := h.ask("openid im:messages.read", url.Values{"organization": {"acme"}})
		h.approve(t, suspended.str("user_code"), "w-acme", "openid", "im:messages.read")
		if err := h.store.RemoveMember(ctx, "w-beta", "ann"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.UpdateMember(ctx, "w-acme", "ann", func(m storage.Member) (storage.Member, error) {
			m.Suspended = true
			return m, nil
		}); err != nil {
			t.Fatal(err)
		}
		wantError(t, h.poll(removed.str("device_code")), http.StatusBadRequest, "access_denied")
		wantError(t, h.poll(suspended.str("device_code")), http.StatusBadRequest, "access_denied")
	})
}
