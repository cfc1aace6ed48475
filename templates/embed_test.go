package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestFS(t *testing.T) {
	fsys := FS()
	t.Run("holds the layout, every page and the style sheet", func(t *testing.T) {
		for _, name := range []string{
			"layout.html", "login.html", "consent.html", "logout.html", "logged_out.html", "error.html",
			"register.html", "check_email.html", "forgot.html", "reset.html", "message.html", "mfa.html", "account.html",
			"apps.html", "app_form.html", "secret_shown.html", "delete_app.html", "form_post.html",
			"static/style.css",
		} {
			if _, err := fs.Stat(fsys, name); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	// The pages' Content-Security-Policy is style-src 'self' with no
	// script-src: anything below would be blocked, or would load from
	// elsewhere. form_post.html alone has one script, whose text
	// provider/web supplies and allows by its hash.
	forbidden := []struct {
		what string
		re   *regexp.Regexp
	}{
		{"a script", regexp.MustCompile(`(?i)<script|javascript:`)},
		{"an event handler attribute", regexp.MustCompile(`(?i)\son[a-z]+\s*=`)},
		{"an inline style attribute", regexp.MustCompile(`(?i)\sstyle\s*=`)},
		{"a <style> block", regexp.MustCompile(`(?i)<style`)},
		{"an external resource", regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|@import|url\(\s*["']?(https?:)?//`)},
		{"a web font", regexp.MustCompile(`(?i)@font-face`)},
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if p == "form_post.html" {
			const hashed = "<script>{{.Script}}</script>"
			if strings.Count(string(data), hashed) != 1 {
				t.Errorf("form_post.html has %d of its hashed script, want 1", strings.Count(string(data), hashed))
			}
			data = []byte(strings.Replace(string(data), hashed, "", 1))
		}
		// The pages that use passkeys load the one script, the site's own
		// passkey.js, by the versioned address the renderer gives.
		const passkeyScript = `<script src="{{.Script}}" defer></script>`
		switch p {
		case "login.html", "mfa.html", "account.html":
			if strings.Count(string(data), passkeyScript) != 1 {
				t.Errorf("%s has %d passkey script tags, want 1", p, strings.Count(string(data), passkeyScript))
			}
			data = []byte(strings.Replace(string(data), passkeyScript, "", 1))
		}
		for _, f := range forbidden {
			t.Run(p+" has no "+strings.TrimPrefix(strings.TrimPrefix(f.what, "a "), "an "), func(t *testing.T) {
				if loc := f.re.FindIndex(data); loc != nil {
					t.Errorf("%s at byte %d: %q", f.what, loc[0], data[loc[0]:min(loc[1]+20, len(data))])
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the style sheet names Chinese system fonts", func(t *testing.T) {
		css, err := fs.ReadFile(fsys, "static/style.css")
		if err != nil {
			t.Fatal(err)
		}
		for _, font := range []string{`"PingFang SC"`, `"Microsoft YaHei"`, `"Noto Sans CJK SC"`} {
			if !strings.Contains(string(css), font) {
				t.Errorf("font stack lacks %s", font)
			}
		}
	})
}
