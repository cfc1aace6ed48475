package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// browser is a cookie-keeping HTTP client that follows redirects the way
// a browser does, except to an app's redirect URI, where it stops so the
// test can read the code.
type browser struct {
	t      testing.TB
	client *http.Client
	origin string
	// stopAt are URL prefixes (an app's callback) not to follow.
	stopAt []string
}

func newBrowser(t testing.TB, origin string, stopAt ...string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, origin: origin, stopAt: stopAt}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		for _, p := range b.stopAt {
			if strings.HasPrefix(req.URL.String(), p) {
				return http.ErrUseLastResponse
			}
		}
		if len(via) > 10 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	return b
}

// page is a response read whole.
type page struct {
	status   int
	url      *url.URL
	location string
	header   http.Header
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL, location: resp.Header.Get("Location"), header: resp.Header, body: string(body)}
}

func (b *browser) get(rawURL string) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// submit posts a page's form as a browser would: its hidden fields, the
// given values, from this site.
func (b *browser) submit(p page, values map[string]string) page {
	b.t.Helper()
	return b.submitTo(p, "", values)
}

// submitTo posts the page's form whose action is action (the first form
// when action is empty).
func (b *browser) submitTo(p page, action string, values map[string]string) page {
	b.t.Helper()
	action, form := parseFormFor(b.t, p.body, action)
	for k, v := range values {
		form.Set(k, v)
	}
	target := p.url.ResolveReference(&url.URL{Path: action})
	if action == "" {
		target = p.url
	}
	return b.postForm(target.String(), form)
}

// postForm posts form to the absolute URL action, from this site (a page
// of the provider's that posts itself).
func (b *browser) postForm(action string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, action, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// parseForm returns the first form's action and its hidden inputs.
func parseForm(t testing.TB, body string) (string, url.Values) {
	t.Helper()
	return parseFormFor(t, body, "")
}

// parseFormFor returns the action and hidden inputs of the form whose
// action is want, or of the first form when want is empty.
func parseFormFor(t testing.TB, body, want string) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var action string
	found := false
	values := url.Values{}
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" {
			if found || (want != "" && attr(n, "action") != want) {
				return
			}
			found, inForm = true, true
			action = attr(n, "action")
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" && attr(n, "type") == "hidden" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if !found {
		t.Fatalf("no form %q in page:\n%s", want, body)
	}
	return action, values
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
