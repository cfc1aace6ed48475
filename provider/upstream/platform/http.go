package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// maxBody bounds every answer read from a platform.
const maxBody = 1 << 20

// userAgent names this provider to the platforms (GitHub's API refuses a
// request without one).
const userAgent = "TokenIM-Auth"

// request is one call to a platform's API.
type request struct {
	// step says what the call does, in errors ("token exchange").
	step   string
	method string
	url    string
	// query is added to url's query.
	query url.Values
	// form or jsonBody is the body, form-encoded or JSON.
	form     url.Values
	jsonBody any
	header   http.Header
}

// call sends r and decodes the JSON answer into out, returning the HTTP
// status. No answer, a 5xx, an answer larger than maxBody or not JSON is
// ErrUnavailable; any other status is the caller's to judge. Errors name
// the URL without its query, which may hold a secret or a token.
func (c *Connector) call(ctx context.Context, r request, out any) (int, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return 0, c.unavailable(r.step, "endpoint %q is not a URL", upstream.Clip(r.url))
	}
	if len(r.query) > 0 {
		q := u.Query()
		for k, v := range r.query {
			q[k] = v
		}
		u.RawQuery = q.Encode()
	}
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	var body io.Reader
	ctype := ""
	switch {
	case r.form != nil:
		body, ctype = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.jsonBody != nil:
		b, err := json.Marshal(r.jsonBody)
		if err != nil {
			return 0, fmt.Errorf("platform: connector %q: %s: %w", c.cfg.ID, r.step, err)
		}
		body, ctype = bytes.NewReader(b), "application/json; charset=utf-8"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return 0, c.unavailable(r.step, "request to %s: %v", where, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range r.header {
		req.Header[k] = slices.Clone(v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// A *url.Error repeats the URL with its query: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("%w: connector %q: %s %s: %s: %w", upstream.ErrUnavailable, c.cfg.ID, c.p.name, r.step, where, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%w: connector %q: %s %s: reading %s: %w", upstream.ErrUnavailable, c.cfg.ID, c.p.name, r.step, where, err)
	case len(raw) > maxBody:
		return 0, c.unavailable(r.step, "%s answered more than %d bytes", where, maxBody)
	case resp.StatusCode >= 500:
		return 0, c.unavailable(r.step, "%s answered %s", where, resp.Status)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return 0, c.unavailable(r.step, "%s answered %s with no JSON it documents: %v", where, resp.Status, err)
	}
	return resp.StatusCode, nil
}

func (c *Connector) refused(step, format string, args ...any) error {
	return fmt.Errorf("%w: connector %q: %s %s: %s", upstream.ErrRefused, c.cfg.ID, c.p.name, step, fmt.Sprintf(format, args...))
}

func (c *Connector) unavailable(step, format string, args ...any) error {
	return fmt.Errorf("%w: connector %q: %s %s: %s", upstream.ErrUnavailable, c.cfg.ID, c.p.name, step, fmt.Sprintf(format, args...))
}

// errcode is the error of a WeChat-style errcode/errmsg answer:
// ErrUnavailable for the codes in busy (the platform overloaded, or this
// connector's own credentials refused), ErrRefused for any other.
func (c *Connector) errcode(step string, code int, msg string, busy []int) error {
	if slices.Contains(busy, code) {
		return c.unavailable(step, "errcode %d: %s", code, upstream.Clip(msg))
	}
	return c.refused(step, "errcode %d: %s", code, upstream.Clip(msg))
}

// oauthConfigErrors are the token endpoint's error codes (RFC 6749
// section 5.2, and GitHub's own) that speak of this connector's
// credentials or registration, or of the platform's state, not of the
// user or the code.
var oauthConfigErrors = []string{
	"invalid_client", "unauthorized_client", "server_error", "temporarily_unavailable",
	"incorrect_client_credentials", "redirect_uri_mismatch",
}

// oauthError is the error of a token endpoint's {error,
// error_description} answer: ErrUnavailable for oauthConfigErrors,
// ErrRefused for any other (a bad or spent code, a wrong verifier).
func (c *Connector) oauthError(step, code, description string) error {
	if slices.Contains(oauthConfigErrors, code) {
		return c.unavailable(step, "%s: %s", upstream.Clip(code), upstream.Clip(description))
	}
	return c.refused(step, "%s: %s", upstream.Clip(code), upstream.Clip(description))
}

// bearer is the header carrying a user's access token.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
