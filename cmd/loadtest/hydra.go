package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Ory Hydra, as compare builds and runs it.
const (
	// hydraModule is Hydra's module; its main package is the module's
	// root.
	hydraModule = "github.com/ory/hydra/v2"
	// hydraDatabase is Hydra's own database on the shared Postgres,
	// created at the start and dropped at the end.
	hydraDatabase = "tokenim_compare_hydra"
	// hydraLogin and hydraConsent are Hydra's login and consent apps:
	// never fetched, the program accepts the requests on Hydra's admin
	// API itself.
	hydraLogin   = "http://127.0.0.1:9/login"
	hydraConsent = "http://127.0.0.1:9/consent"
	// hydraSubject is who signs in to Hydra.
	hydraSubject = testbed.UserEmail
	// hydraScope is what Hydra's client may ask for.
	hydraScope = "im:messages.send openid offline_access"
)

// hydraBuildDir is where Hydra version is built: a module of its own in
// the user's cache directory, outside ours ($XDG_CACHE_HOME or
// ~/.cache/tokenim-auth/hydra-<version>).
func hydraBuildDir(version string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("hydra build directory: %w", err)
	}
	return filepath.Join(cache, "tokenim-auth", "hydra-"+version), nil
}

// hydraBuildSteps are the go commands that build Hydra version into the
// file hydra.tmp of a directory holding nothing else. "go install
// module@version" is refused: Hydra's go.mod has replace directives, which
// apply only to Hydra's own module. Hydra becomes the tool of a throwaway
// module (never a dependency of ours), which takes over those of Hydra's
// replace directives that name another module (replace holds them:
// "-replace=old=new@version" each); a directive naming a directory of
// Hydra's repository cannot be followed, the directory is not in the
// module's zip.
func hydraBuildSteps(version string, replace []string) [][]string {
	steps := [][]string{{"go", "get", "-tool", hydraModule + "@" + version}}
	if len(replace) > 0 {
		steps = append(steps, append([]string{"go", "mod", "edit"}, replace...), []string{"go", "mod", "tidy"})
	}
	return append(steps, []string{"go", "build", "-o", "hydra.tmp", hydraModule})
}

// goModReplaces turns the replace directives of a go.mod, as "go mod edit
// -json" prints it, into "go mod edit" flags. Those to a directory are
// returned apart.
func goModReplaces(goModJSON []byte) (flags, local []string, err error) {
	var mod struct {
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(goModJSON, &mod); err != nil {
		return nil, nil, fmt.Errorf("read go.mod: %w", err)
	}
	for _, r := range mod.Replace {
		old := r.Old.Path
		if r.Old.Version != "" {
			old += "@" + r.Old.Version
		}
		if r.New.Version == "" {
			local = append(local, old+" => "+r.New.Path)
			continue
		}
		flags = append(flags, "-replace="+old+"="+r.New.Path+"@"+r.New.Version)
	}
	return flags, local, nil
}

// buildHydra returns Hydra's binary in dir, building it there first
// unless it is there already. Building takes minutes.
func buildHydra(ctx context.Context, logger *slog.Logger, dir, version string) (string, error) {
	bin := filepath.Join(dir, "hydra")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("hydra build directory: %w", err)
	}
	logger.Info("building hydra (minutes; once)", "version", version, "dir", dir)
	goCmd := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("build hydra %s in %s: go %s: %w\n%s", version, dir, strings.Join(args, " "), err, stderr.Bytes())
		}
		return out, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		if _, err := goCmd("mod", "init", "tokenim-auth-hydra-build"); err != nil {
			return "", err
		}
	}
	replace, local, err := hydraReplaces(goCmd, version)
	if err != nil {
		return "", err
	}
	if len(local) > 0 {
		logger.Warn("hydra's go.mod replaces modules by directories of its repository, not in its module: their published versions are used", "replace", strings.Join(local, ", "))
	}
	for _, step := range hydraBuildSteps(version, replace) {
		if _, err := goCmd(step[1:]...); err != nil {
			return "", err
		}
	}
	if err := os.Rename(filepath.Join(dir, "hydra.tmp"), bin); err != nil {
		return "", fmt.Errorf("build hydra: %w", err)
	}
	return bin, nil
}

// hydraReplaces reads the replace directives of Hydra's go.mod, from the
// module proxy.
func hydraReplaces(goCmd func(args ...string) ([]byte, error), version string) (replace, local []string, err error) {
	out, err := goCmd("mod", "download", "-json", hydraModule+"@"+version)
	if err != nil {
		return nil, nil, err
	}
	var dl struct{ GoMod string }
	if err := json.Unmarshal(out, &dl); err != nil || dl.GoMod == "" {
		return nil, nil, fmt.Errorf("build hydra: go mod download: no go.mod in %s", out)
	}
	if out, err = goCmd("mod", "edit", "-json", dl.GoMod); err != nil {
		return nil, nil, err
	}
	return goModReplaces(out)
}

// hydraSpec is how one Hydra process runs.
type hydraSpec struct {
	bin string
	// dsn is Hydra's database.
	dsn    string
	secret string
	// public and admin are the listeners' host:port.
	public, admin string
}

// hydraDSN is the URL of Hydra's database, on the server of database.
func hydraDSN(database string) (string, error) {
	u, err := url.Parse(database)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("-database: not a postgres URL: %q", database)
	}
	u.Path = "/" + hydraDatabase
	return u.String(), nil
}

// env is Hydra's environment: its configuration (opaque access tokens
// and PBKDF2 client secrets, its defaults), on loopback, quiet.
func (s hydraSpec) env() []string {
	host := func(hostPort string) string { h, _, _ := strings.Cut(hostPort, ":"); return h }
	port := func(hostPort string) string { _, p, _ := strings.Cut(hostPort, ":"); return p }
	return append(os.Environ(),
		"DSN="+s.dsn,
		"SECRETS_SYSTEM="+s.secret,
		"SERVE_PUBLIC_HOST="+host(s.public),
		"SERVE_PUBLIC_PORT="+port(s.public),
		"SERVE_ADMIN_HOST="+host(s.admin),
		"SERVE_ADMIN_PORT="+port(s.admin),
		"URLS_SELF_ISSUER=http://"+s.public,
		"URLS_LOGIN="+hydraLogin,
		"URLS_CONSENT="+hydraConsent,
		"LOG_LEVEL=warn",
		"STRATEGIES_ACCESS_TOKEN=opaque",
	)
}

// migrateArgs and serveArgs are Hydra's command lines.
func (s hydraSpec) migrateArgs() []string { return []string{"migrate", "sql", "up", "-e", "--yes"} }
func (s hydraSpec) serveArgs() []string {
	return []string{"serve", "all", "--dev", "--sqa-opt-out"}
}

// hydra is a running Hydra with its client.
type hydra struct {
	spec hydraSpec
	// process is Hydra's serve process, run and stopped as our nodes are.
	process *testbed.Node
	// publicURL and adminURL are the listeners' base URLs.
	publicURL, adminURL string
	// clientID and clientSecret are the client created for the run.
	clientID, clientSecret string
}

// startHydra migrates Hydra's database, runs "hydra serve all" and waits
// until it is ready. It returns Hydra even on error, so that the caller
// stops it.
func startHydra(ctx context.Context, spec hydraSpec, logFile string) (*hydra, error) {
	var out bytes.Buffer
	migrate := exec.CommandContext(ctx, spec.bin, spec.migrateArgs()...)
	migrate.Env = spec.env()
	migrate.Stdout, migrate.Stderr = &out, &out
	if err := migrate.Run(); err != nil {
		return nil, fmt.Errorf("hydra %s: %w\n%s", strings.Join(spec.migrateArgs(), " "), err, out.Bytes())
	}
	serve := exec.Command(spec.bin, spec.serveArgs()...)
	serve.Env = spec.env()
	p, err := testbed.StartProcess(serve, logFile)
	if err != nil {
		return nil, fmt.Errorf("hydra: %w", err)
	}
	h := &hydra{
		spec:      spec,
		process:   &testbed.Node{Process: p, Spec: testbed.NodeSpec{Name: "hydra", Bin: spec.bin, LogFile: logFile}, Base: "http://" + spec.public},
		publicURL: "http://" + spec.public, adminURL: "http://" + spec.admin,
	}
	if err := h.waitReady(ctx); err != nil {
		return h, fmt.Errorf("hydra: %w\n%s", err, h.process.LogTail())
	}
	return h, nil
}

// waitReady polls the admin listener's /health/ready until it answers
// 200.
func (h *hydra) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := "no answer"
	for {
		select {
		case <-h.process.Exited():
			return fmt.Errorf("exited: %v", h.process.Err())
		case <-ctx.Done():
			return fmt.Errorf("not ready (%s): %w", last, ctx.Err())
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.adminURL+"/health/ready", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = resp.Status
	}
}

// stop stops Hydra (SIGTERM, then SIGKILL); a failure is logged.
func (h *hydra) stop(logger *slog.Logger) {
	h.process.Stop(logger)
}

// createClient creates the run's client on the admin API: client
// credentials, and the authorization code with refresh tokens, its
// secret checked the default way (client_secret_basic, PBKDF2).
func (h *hydra) createClient(ctx context.Context) error {
	var created struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	err := h.admin(ctx, http.MethodPost, "/admin/clients", map[string]any{
		"client_name":                "tokenim-auth compare",
		"client_secret":              rand.Text() + rand.Text(),
		"grant_types":                []string{"client_credentials", "authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"scope":                      hydraScope,
		"redirect_uris":              []string{testbed.WebReturn},
		"token_endpoint_auth_method": "client_secret_basic",
	}, &created)
	if err != nil {
		return err
	}
	if created.ClientID == "" || created.ClientSecret == "" {
		return errors.New("hydra: the created client has no id or secret")
	}
	h.clientID, h.clientSecret = created.ClientID, created.ClientSecret
	return nil
}

// admin sends a JSON request to the admin API and decodes its answer
// into out.
func (h *hydra) admin(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, h.adminURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("hydra: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("hydra: %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("hydra: %s %s: status %d: %s", method, path, resp.StatusCode, msg)
	}
	if err := json.Unmarshal(msg, out); err != nil {
		return fmt.Errorf("hydra: %s %s: %w", method, path, err)
	}
	return nil
}

// clientCredentials gets client-credentials tokens from Hydra.
func (h *hydra) clientCredentials() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID: h.clientID, ClientSecret: h.clientSecret, TokenURL: h.publicURL + "/oauth2/token",
		Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader,
	}
}

// signIn runs Hydra's authorization code flow for hydraSubject, acting as
// its login and consent app through the admin API (accepting the login
// and consent requests), and exchanges the code for tokens, a refresh
// token among them.
func (h *hydra) signIn(ctx context.Context) (*oauth2.Token, error) {
	conf := oauth2.Config{
		ClientID: h.clientID, ClientSecret: h.clientSecret, RedirectURL: testbed.WebReturn,
		Endpoint: oauth2.Endpoint{AuthURL: h.publicURL + "/oauth2/auth", TokenURL: h.publicURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "offline_access"},
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	state := rand.Text()
	next := conf.AuthCodeURL(state)
	for _, step := range []struct{ app, challenge, accept string }{
		{hydraLogin, "login_challenge", "/admin/oauth2/auth/requests/login/accept"},
		{hydraConsent, "consent_challenge", "/admin/oauth2/auth/requests/consent/accept"},
	} {
		to, err := redirectTo(ctx, browser, next, step.app)
		if err != nil {
			return nil, err
		}
		accept := map[string]any{"subject": hydraSubject}
		if step.app == hydraConsent {
			accept = map[string]any{"grant_scope": conf.Scopes}
		}
		var answer struct {
			RedirectTo string `json:"redirect_to"`
		}
		q := url.Values{step.challenge: {to.Query().Get(step.challenge)}}
		if err := h.admin(ctx, http.MethodPut, step.accept+"?"+q.Encode(), accept, &answer); err != nil {
			return nil, err
		}
		next = answer.RedirectTo
	}
	back, err := redirectTo(ctx, browser, next, testbed.WebReturn)
	if err != nil {
		return nil, err
	}
	if back.Query().Get("state") != state || back.Query().Get("code") == "" {
		return nil, fmt.Errorf("hydra sign-in: no code for our state in %s", back.Redacted())
	}
	tok, err := conf.Exchange(ctx, back.Query().Get("code"))
	if err != nil {
		return nil, fmt.Errorf("hydra sign-in: exchange the code: %w", err)
	}
	return tok, nil
}

// redirectTo follows redirects from rawURL until one leads to prefix,
// and returns that URL.
func redirectTo(ctx context.Context, client *http.Client, rawURL, prefix string) (*url.URL, error) {
	for range 10 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("hydra sign-in: %w", err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("hydra sign-in: GET %s: status %d, no redirect: %s", req.URL.Path, resp.StatusCode, msg)
		}
		if strings.HasPrefix(loc.String(), prefix) {
			if e := loc.Query().Get("error"); e != "" {
				return nil, fmt.Errorf("hydra sign-in: %s: %s", e, loc.Query().Get("error_description"))
			}
			return loc, nil
		}
		rawURL = loc.String()
	}
	return nil, fmt.Errorf("hydra sign-in: no redirect to %s after 10", prefix)
}
