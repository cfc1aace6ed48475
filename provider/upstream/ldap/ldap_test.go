package ldap

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/ldap/ldaptest"
)

// testConfig is a connector for the seeded directory at url, with the
// group search; change tweaks it.
func testConfig(url string, change func(*Config)) Config {
	cfg := Config{
		ID:           "corp",
		URL:          url,
		BindDN:       ldaptest.ReaderDN,
		BindPassword: ldaptest.ReaderPassword,
		UserSearch:   Search{BaseDN: ldaptest.UserBase, Filter: "(&(objectClass=inetOrgPerson)(uid=%s))"},
		GroupSearch:  Search{BaseDN: ldaptest.GroupBase, Filter: "(member=%s)"},
	}
	if change != nil {
		change(&cfg)
	}
	return cfg
}

func newConnector(t *testing.T, cfg Config, log *slog.Logger) *Connector {
	t.Helper()
	c, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestLogin(t *testing.T) {
	t.Parallel()
	dir := ldaptest.Start(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c := newConnector(t, testConfig(dir.URL, nil), log)

	t.Run("ann signs in with her attributes and groups", func(t *testing.T) {
		t.Parallel()
		id, err := c.Login(t.Context(), "ann", "ann-password")
		if err != nil {
			t.Fatal(err)
		}
		want := upstream.Identity{Connector: "corp", Email: "ann@example.org", Name: "Ann Lee", Username: "ann",
			Groups: []string{"chat-admins", "staff"}, AMR: []string{"pwd"}}
		if diff := cmp.Diff(want, id, cmpopts.IgnoreFields(upstream.Identity{}, "Subject"), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Error(diff)
		}
		if _, err := uuid.Parse(id.Subject); err != nil {
			t.Errorf("subject %q is not the entry's entryUUID: %v", id.Subject, err)
		}
		again, err := c.Login(t.Context(), "ann", "ann-password")
		if err != nil || again.Subject != id.Subject {
			t.Errorf("second sign-in: %q, %v; want the same subject %q", again.Subject, err, id.Subject)
		}
	})
	t.Run("the directory's email counts as verified only when configured", func(t *testing.T) {
		t.Parallel()
		trusted := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.EmailVerified = true }), nil)
		id, err := trusted.Login(t.Context(), "ann", "ann-password")
		if err != nil || !id.EmailVerified || id.Email != "ann@example.org" {
			t.Fatalf("identity %+v (%v): want ann's email, verified", id, err)
		}
		if id, _ := c.Login(t.Context(), "ann", "ann-password"); id.EmailVerified {
			t.Fatal("verified without the setting")
		}
	})
	t.Run("Active Directory attributes: objectGUID and memberOf", func(t *testing.T) {
		t.Parallel()
		ad := newConnector(t, testConfig(dir.URL, func(cfg *Config) {
			cfg.GroupSearch = Search{}
			cfg.Attributes.Subject = "objectGUID"
		}), nil)
		id, err := ad.Login(t.Context(), "ann", "ann-password")
		if err != nil {
			t.Fatal(err)
		}
		// seed.ldif's bytes 01..10, shown as Windows does.
		if id.Subject != "04030201-0605-0807-090a-0b0c0d0e0f10" {
			t.Errorf("subject %q", id.Subject)
		}
		if !cmp.Equal(id.Groups, []string{"chat-admins"}) {
			t.Errorf("groups %q, want memberOf's chat-admins", id.Groups)
		}
	})
	refused := func(t *testing.T, c *Connector, username, password string, want error) {
		t.Helper()
		id, err := c.Login(t.Context(), username, password)
		if !errors.Is(err, upstream.ErrRefused) || err != want {
			t.Fatalf("Login(%q) = %+v, %v; want %v", username, id, err, want)
		}
	}
	t.Run("a wrong password and an unknown user get the same answer", func(t *testing.T) {
		t.Parallel()
		refused(t, c, "ann", "bob-password", errBadCredentials)
		refused(t, c, "nobody", "ann-password", errBadCredentials)
	})
	t.Run("an empty password is refused, not an unauthenticated bind", func(t *testing.T) {
		t.Parallel()
		refused(t, c, "ann", "", errBadCredentials)
		refused(t, c, "", "ann-password", errBadCredentials)
		refused(t, c, "ann", "ann-password\x00", errBadCredentials)
	})
	t.Run("a disabled Active Directory account", func(t *testing.T) {
		t.Parallel()
		refused(t, c, "dave", "dave-password", errDisabled)
		// Without the password, nothing tells that dave exists.
		refused(t, c, "dave", "guess", errBadCredentials)
	})
	t.Run("an account the enabled filter refuses", func(t *testing.T) {
		t.Parallel()
		if _, err := c.Login(t.Context(), "erin", "erin-password"); err != nil {
			t.Fatalf("erin without an enabled filter: %v", err)
		}
		strict := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.EnabledFilter = "(!(employeeType=left))" }), nil)
		refused(t, strict, "erin", "erin-password", errDisabled)
		refused(t, strict, "erin", "guess", errBadCredentials)
		if _, err := strict.Login(t.Context(), "bob", "bob-password"); err != nil {
			t.Errorf("bob with the enabled filter: %v", err)
		}
	})
	t.Run("a name several entries match", func(t *testing.T) {
		t.Parallel()
		loose := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.UserSearch.Filter = "(|(uid=%s)(displayName=%s))" }), nil)
		refused(t, loose, "twin", "twin-password", errAmbiguous)
		if _, err := loose.Login(t.Context(), "twin1", "twin-password"); err != nil {
			t.Errorf("twin1 by uid: %v", err)
		}
	})
	t.Run("filter injection is escaped", func(t *testing.T) {
		t.Parallel()
		// Unescaped, (uid=a*) would find ann alone and sign in as her.
		for _, name := range []string{"a*", "*)(uid=*", "ann)(|(uid=*", `ann\2a`, "*"} {
			refused(t, c, name, "ann-password", errBadCredentials)
		}
	})
	t.Run("the service account's password is checked", func(t *testing.T) {
		t.Parallel()
		bad := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.BindPassword = "wrong" }), log)
		if _, err := bad.Login(t.Context(), "ann", "ann-password"); !errors.Is(err, upstream.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
	t.Cleanup(func() {
		for _, secret := range []string{"ann-password", "bob-password", "reader-secret", "dave-password"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log holds a password:\n%s", logs.String())
			}
		}
	})
}

func TestDirectoryDown(t *testing.T) {
	t.Parallel()
	dir := ldaptest.Start(t)
	var logs bytes.Buffer
	c := newConnector(t, testConfig(dir.URL, nil), slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := c.Login(t.Context(), "bob", "bob-password"); err != nil {
		t.Fatal(err)
	}
	dir.Stop()
	_, err := c.Login(t.Context(), "bob", "bob-password")
	if !errors.Is(err, upstream.ErrUnavailable) || errors.Is(err, upstream.ErrRefused) {
		t.Fatalf("directory down: %v, want ErrUnavailable", err)
	}
	if strings.Contains(logs.String(), "bob-password") || !strings.Contains(logs.String(), "directory unavailable") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestBrokenConnectionReplaced(t *testing.T) {
	t.Parallel()
	dir := ldaptest.Start(t)
	c := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.PoolSize = 1 }), nil)
	if _, err := c.Login(t.Context(), "bob", "bob-password"); err != nil {
		t.Fatal(err)
	}
	// The pooled connection dies with the server; the next sign-in
	// uses a new one.
	dir.Restart()
	if _, err := c.Login(t.Context(), "bob", "bob-password"); err != nil {
		t.Fatalf("after the directory restarted: %v", err)
	}
}

func TestPoolBounded(t *testing.T) {
	t.Parallel()
	dir := ldaptest.Start(t)
	c := newConnector(t, testConfig(dir.URL, func(cfg *Config) { cfg.PoolSize = 1 }), nil)
	first, reused, err := c.pool.get(t.Context())
	if err != nil || reused {
		t.Fatalf("first get: reused %v, %v", reused, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.pool.get(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a second connection past the bound: %v, want to wait until ctx ends", err)
	}
	c.pool.put(first)
	again, reused, err := c.pool.get(t.Context())
	if err != nil || !reused || again != first {
		t.Fatalf("get after put: same %v, reused %v, %v", again == first, reused, err)
	}
	c.pool.put(again)
}

// hungServer accepts connections and never answers; accepted receives
// each accepted connection.
func hungServer(t *testing.T) (url string, accepted <-chan net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan net.Conn, 16)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			ch <- conn
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case conn := <-ch:
				conn.Close()
			default:
				return
			}
		}
	})
	return "ldap://" + l.Addr().String(), ch
}

func TestContextHonoured(t *testing.T) {
	t.Parallel()
	t.Run("cancelled while the directory does not answer", func(t *testing.T) {
		t.Parallel()
		url, accepted := hungServer(t)
		c := newConnector(t, testConfig(url, func(cfg *Config) { cfg.Timeout = time.Hour }), nil)
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			<-accepted
			cancel()
		}()
		_, err := c.Login(ctx, "ann", "ann-password")
		if !errors.Is(err, upstream.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want ErrUnavailable and context.Canceled", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		url, _ := hungServer(t)
		c := newConnector(t, testConfig(url, func(cfg *Config) { cfg.Timeout = time.Hour }), nil)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, err := c.Login(ctx, "ann", "ann-password")
		if !errors.Is(err, upstream.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want ErrUnavailable and context.DeadlineExceeded", err)
		}
	})
	t.Run("operation timeout", func(t *testing.T) {
		t.Parallel()
		url, _ := hungServer(t)
		c := newConnector(t, testConfig(url, func(cfg *Config) { cfg.Timeout = 20 * time.Millisecond }), nil)
		_, err := c.Login(t.Context(), "ann", "ann-password")
		if !errors.Is(err, upstream.ErrUnavailable) || t.Context().Err() != nil {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*Config){
		"http URL":                func(c *Config) { c.URL = "http://127.0.0.1" },
		"ldaps with StartTLS":     func(c *Config) { c.URL = "ldaps://127.0.0.1"; c.StartTLS = true },
		"user filter without %s":  func(c *Config) { c.UserSearch.Filter = "(uid=ann)" },
		"no user base":            func(c *Config) { c.UserSearch.BaseDN = "" },
		"group filter without %s": func(c *Config) { c.GroupSearch.Filter = "(member=x)" },
		"bad filter":              func(c *Config) { c.UserSearch.Filter = "(uid=%s" },
		"bad enabled filter":      func(c *Config) { c.EnabledFilter = "(!(x=1)" },
	} {
		if _, err := New(testConfig("ldap://127.0.0.1:1", change), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	cert := ldaptest.NewCert(t)
	dir := ldaptest.StartTLS(t, cert)
	for name, change := range map[string]func(*Config){
		"StartTLS": func(c *Config) { c.StartTLS = true; c.RootCAs = cert.Pool },
		"LDAPS":    func(c *Config) { c.URL = dir.LDAPSURL; c.RootCAs = cert.Pool },
	} {
		c := newConnector(t, testConfig(dir.URL, change), nil)
		if _, err := c.Login(t.Context(), "ann", "ann-password"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A certificate the configured CAs did not issue is refused before
	// any password is sent.
	for name, change := range map[string]func(*Config){
		"StartTLS": func(c *Config) { c.StartTLS = true; c.RootCAs = x509.NewCertPool() },
		"LDAPS":    func(c *Config) { c.URL = dir.LDAPSURL; c.RootCAs = x509.NewCertPool() },
	} {
		c := newConnector(t, testConfig(dir.URL, change), nil)
		// go-ldap's StartTLS error quotes the handshake's, unwrapped.
		if _, err := c.Login(t.Context(), "ann", "ann-password"); !errors.Is(err, upstream.ErrUnavailable) ||
			!strings.Contains(err.Error(), "certificate signed by unknown authority") {
			t.Errorf("%s with another CA: %v, want ErrUnavailable for an unknown authority", name, err)
		}
	}
}
