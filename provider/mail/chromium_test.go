package mail

import (
	"cmp"
	"context"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOutboxPageInChromium loads a message page in a real headless
// Chromium: the HTML body in its sandboxed srcdoc iframe lives under the
// page's Content-Security-Policy, which only a browser applies. The page
// must render the mail's inline styles (its button's blue shows in the
// screenshot) and report no violation. A control run under a policy
// without inline styles shows that both checks can see a failure.
func TestOutboxPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: needs Chromium")
	}
	chromium := cmp.Or(os.Getenv("TOKENIM_CHROMIUM"), "/usr/bin/chromium")
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s: %v (CI=true: Chromium must be installed; set TOKENIM_CHROMIUM to its path)", chromium, err)
		}
		t.Skipf("chromium not found at %s: %v (install it, or set TOKENIM_CHROMIUM; set CI=true to make this fatal)", chromium, err)
	}

	o := newTestOutbox(t, nil)
	m, err := newTestComposer(t).Activation(English, "ann@example.com", Activation{Name: "Ann", Link: testLink, Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	path := "/dev/outbox/" + o.Messages()[0].ID
	mux := http.NewServeMux()
	o.Mount(mux)

	// The mail's button colour, #2563eb.
	button := color.RGBA{0x25, 0x63, 0xeb, 0xff}

	for _, tc := range []struct {
		name string
		csp  string // replaces the page's policy when set
		// wantClean is whether the page renders the mail's styles and
		// reports no violation.
		wantClean bool
	}{
		{name: "the page's own policy lets the mail render and reports nothing", wantClean: true},
		{name: "control: a policy without inline styles is reported and leaves the mail unstyled", csp: "default-src 'none'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Handler = mux
			if tc.csp != "" {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mux.ServeHTTP(cspOverride{ResponseWriter: w, csp: tc.csp}, r)
				})
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)

			// A screenshot can be taken before the iframe is painted on a
			// machine busy with other tests: the clean case looks again, a
			// moment apart, for up to a minute and a half (a look takes up
			// to ten seconds of the page's time on a busy machine) before
			// calling the mail unstyled. A policy that blocks the styles reports a
			// violation on the first look.
			var violations []string
			var styled bool
			deadline := time.Now().Add(90 * time.Second)
			for i := 0; ; i++ {
				violations, styled = screenshot(t, chromium, filepath.Join(t.TempDir(), strconv.Itoa(i)), srv.URL+path, button)
				if !tc.wantClean || styled || len(violations) > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
			if tc.wantClean {
				if len(violations) > 0 {
					t.Errorf("the page reported violations:\n%s", strings.Join(violations, ""))
				}
				if !styled {
					t.Errorf("the mail's button does not show: its inline styles were not applied")
				}
				return
			}
			if len(violations) == 0 {
				t.Errorf("no violation reported under %q: the check is blind", tc.csp)
			}
			if styled {
				t.Errorf("the mail's button shows under %q: the colour check is blind", tc.csp)
			}
		})
	}
}

// screenshot loads url in headless Chromium with its profile under dir and
// returns the Content-Security-Policy violations it logged and whether the
// screenshot shows colour c.
func screenshot(t *testing.T, chromium, dir, url string, c color.RGBA) (violations []string, shows bool) {
	t.Helper()
	shot := filepath.Join(dir, "page.png")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		// Colours as the page gives them, for the exact match below.
		"--force-color-profile=srgb",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--enable-logging=stderr", "--log-level=0",
		// Let the page and its iframe finish before the screenshot.
		"--virtual-time-budget=10000",
		"--window-size=1000,1400", "--screenshot="+shot,
		url,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "Content Security Policy") {
			violations = append(violations, line)
		}
	}
	return violations, hasColour(t, shot, c)
}

// cspOverride replaces the Content-Security-Policy a handler sets.
type cspOverride struct {
	http.ResponseWriter
	csp string
}

func (w cspOverride) WriteHeader(status int) {
	w.Header().Set("Content-Security-Policy", w.csp)
	w.ResponseWriter.WriteHeader(status)
}

func (w cspOverride) Write(b []byte) (int, error) {
	w.Header().Set("Content-Security-Policy", w.csp)
	return w.ResponseWriter.Write(b)
}

// hasColour reports whether any pixel of a PNG file has exactly colour c.
func hasColour(t *testing.T, file string, c color.RGBA) bool {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				return true
			}
		}
	}
	return false
}
