package web

import (
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tokenim/tokenim-auth/provider/i18n"
	"github.com/tokenim/tokenim-auth/templates"
)

// templateFS copies the real templates into a map the test may break.
func templateFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS(), p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNew(t *testing.T) {
	const loginMain = `{{define "title"}}{{t "login.title"}}{{end}}{{define "main"}}%s{{end}}`
	page := func(main string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(strings.Replace(loginMain, "%s", main, 1))}
	}
	tests := []struct {
		name    string
		breakFS func(fstest.MapFS)
		breakMs func(i18n.Catalogue)
		wantErr []string // substrings of the error; none means success
	}{
		{name: "the real templates and catalogue load"},
		{
			name:    "a missing page fails",
			breakFS: func(m fstest.MapFS) { delete(m, "consent.html") },
			wantErr: []string{"consent page", "consent.html"},
		},
		{
			name:    "a missing layout fails",
			breakFS: func(m fstest.MapFS) { delete(m, "layout.html") },
			wantErr: []string{"layout.html"},
		},
		{
			name:    "a template file no page uses fails",
			breakFS: func(m fstest.MapFS) { m["signup.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{end}}`)} },
			wantErr: []string{"signup.html is not used by any page"},
		},
		{
			name:    "a missing style sheet fails",
			breakFS: func(m fstest.MapFS) { delete(m, "static/style.css") },
			wantErr: []string{"static"},
		},
		{
			name:    "a key missing in Chinese fails",
			breakMs: func(c i18n.Catalogue) { m := c["login.submit"]; m.ZH = ""; c["login.submit"] = m },
			wantErr: []string{`"login.submit" has no zh-CN text`, "login.html"},
		},
		{
			name:    "a key missing in English fails",
			breakMs: func(c i18n.Catalogue) { m := c["layout.sign_out"]; m.EN = ""; c["layout.sign_out"] = m },
			wantErr: []string{`"layout.sign_out" has no en text`, "layout.html"},
		},
		{
			name:    "a key missing in both languages fails",
			breakFS: func(m fstest.MapFS) { m["login.html"] = page(`{{t "login.forgot_password"}}`) },
			wantErr: []string{`"login.forgot_password" has no en text`, `"login.forgot_password" has no zh-CN text`},
		},
		{
			name: "a key inside a branch is checked too",
			breakFS: func(m fstest.MapFS) {
				m["login.html"] = page(`{{if .Error}}{{with .Email}}{{t "login.nope" .}}{{end}}{{end}}`)
			},
			wantErr: []string{`"login.nope" has no en text`},
		},
		{
			name:    "a key that is not a literal fails",
			breakFS: func(m fstest.MapFS) { m["login.html"] = page(`{{t .Error}}`) },
			wantErr: []string{"quoted message key"},
		},
		{
			name:    "a text given too few arguments fails",
			breakFS: func(m fstest.MapFS) { m["login.html"] = page(`{{t "login.heading_app"}}`) },
			wantErr: []string{`"login.heading_app" takes 1 arguments in en, the template gives 0`},
		},
		{
			name:    "a text given too many arguments fails",
			breakFS: func(m fstest.MapFS) { m["login.html"] = page(`{{.ClientName | t "login.heading_app" .Email}}`) },
			wantErr: []string{"the template gives 2"},
		},
		{
			name:    "a field the view does not have fails",
			breakFS: func(m fstest.MapFS) { m["login.html"] = page(`{{.Password}}`) },
			wantErr: []string{"login page", "sample data", "Password"},
		},
		{
			name:    "a page without a main template fails",
			breakFS: func(m fstest.MapFS) { m["logout.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}`)} },
			wantErr: []string{"logout page", "main"},
		},
		{
			name:    "a catalogue without the generic error title fails",
			breakMs: func(c i18n.Catalogue) { delete(c, genericKey) },
			wantErr: []string{genericKey},
		},
		{
			name:    "a catalogue without the result page's default title fails",
			breakMs: func(c i18n.Catalogue) { m := c[messageTitleKey]; m.ZH = ""; c[messageTitleKey] = m },
			wantErr: []string{messageTitleKey},
		},
		{
			name:    "a catalogue without the result page's default link text fails",
			breakMs: func(c i18n.Catalogue) { delete(c, linkTextKey) },
			wantErr: []string{linkTextKey},
		},
		{
			name:    "a new page missing fails",
			breakFS: func(m fstest.MapFS) { delete(m, "account.html") },
			wantErr: []string{"account page", "account.html"},
		},
		{
			name: "a branch only a sample with every field set takes is checked",
			breakFS: func(m fstest.MapFS) {
				m["mfa.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}{{define "main"}}{{if .Recovery}}{{.RecoveryCode}}{{end}}{{end}}`)}
			},
			wantErr: []string{"mfa page", "sample data", "RecoveryCode"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, msgs := templateFS(t), messages()
			if tc.breakFS != nil {
				tc.breakFS(fsys)
			}
			if tc.breakMs != nil {
				tc.breakMs(msgs)
			}
			r, err := newRenderer(Config{FS: fsys, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}, msgs)
			if len(tc.wantErr) == 0 {
				if err != nil || r == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error lacks %q:\n%v", s, err)
				}
			}
		})
	}
}

func TestNewWithoutFS(t *testing.T) {
	t.Run("a config without a file system fails", func(t *testing.T) {
		if _, err := New(Config{}); err == nil {
			t.Fatal("want an error")
		}
	})
}
