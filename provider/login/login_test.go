package login

import "testing"

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/account":                           "/account",
		"/account?setup=mfa":                 "/account?setup=mfa",
		"/account/apps":                      "/account/apps",
		"/apps":                              "/apps",
		"/admin":                             "/admin",
		"/admin/records?action=signin&user=": "/admin/records?action=signin&user=",
		"/admin/users/u1":                    "/admin/users/u1",
		"/account/x?next=//evil.example":     "",
		"/account/x?y=1":                     "",
		"//evil.example/admin/":              "",
		"/admin//evil.example":               "",
		"/admin/\\evil.example":              "",
		"/admin/records#frag":                "",
		"/admin/records\r\nSet-Cookie: x=1":  "",
		"https://evil.example/admin/":        "",
		"/administrator":                     "",
		"/apps/app-1":                        "",
		"":                                   "",
		"/device":                            "/device",
		"/device?user_code=BDFG-HJKL":        "/device?user_code=BDFG-HJKL",
		"/device?next=/evil":                 "",
		"/devices":                           "",
		"/device/qr.png?user_code=BDFG-HJKL": "",
		// An invitation's page and an app's installation page send a
		// signed-out browser to sign in and back.
		"/invitations/AbC-12_x":                         "/invitations/AbC-12_x",
		"/invitations/AbC/evil":                         "",
		"/invitations/":                                 "",
		"/invitations/x?next=/evil":                     "",
		"/workspaces/acme/apps/com.tokenim.app/install": "/workspaces/acme/apps/com.tokenim.app/install",
		"/workspaces/acme/apps/../install":              "",
		"/workspaces/acme/apps/bot/install/more":        "",
		"/workspaces/acme/apps/bot/uninstall":           "",
		"/workspaces//apps/bot/install":                 "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
