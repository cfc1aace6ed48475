// Package ldap signs users in against an LDAP directory or Active
// Directory with the password they type on our sign-in form: it binds as
// a service account, searches the user by the name typed, binds as the
// entry found with the password, and reads the entry's attributes and
// groups into an upstream.Identity. The password is only sent to the
// directory: it is never stored or logged.
package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Config is one ldap connector, filled from config.Upstream by the
// wiring.
type Config struct {
	// ID is the connector's ID, Identity.Connector.
	ID string
	// URL is the directory's ldap:// or ldaps:// URL; StartTLS upgrades
	// an ldap:// one.
	URL      string
	StartTLS bool
	// RootCAs verify the directory's certificate (nil: the system's).
	RootCAs *x509.CertPool
	// BindDN and BindPassword are the service account searches run as.
	BindDN       string
	BindPassword string
	// UserSearch finds the user: Filter's %s is the name typed, escaped.
	UserSearch Search
	// GroupSearch, when its BaseDN is set, finds the user's groups:
	// Filter's %s is the user's DN, escaped; the groups' names are read
	// from Attributes.GroupName. Without it the groups are the user
	// entry's Attributes.Groups (memberOf) DNs' first values.
	GroupSearch Search
	Attributes  Attributes
	// EnabledFilter, when set, is a filter the user's entry must match
	// to sign in, such as (!(pwdAccountLockedTime=*)). Entries with
	// Active Directory's userAccountControl "disabled" bit or an
	// OpenLDAP pwdAccountLockedTime are refused without it.
	EnabledFilter string
	// DialTimeout bounds connecting (and TLS); Timeout each operation.
	// Zero takes 5 and 10 seconds.
	DialTimeout time.Duration
	Timeout     time.Duration
	// PoolSize bounds the service account's connections; zero takes 4.
	PoolSize int
	// EmailVerified: the directory's mail attribute is the user's own,
	// set by the directory's administrators (Identity.EmailVerified), so
	// that it may create or link an account. Off: it never does.
	EmailVerified bool
}

// Search is an LDAP search under BaseDN with Filter.
type Search struct {
	BaseDN string
	Filter string
}

// Attributes name what an Identity is read from; an empty name takes
// the default shown.
type Attributes struct {
	// Subject is stable for the entry's life: entryUUID (OpenLDAP, RFC
	// 4530) or objectGUID (Active Directory, binary, read in its string
	// form).
	Subject   string // entryUUID
	Email     string // mail
	Name      string // cn
	Username  string // uid (sAMAccountName on Active Directory)
	Groups    string // memberOf
	GroupName string // cn, read from the group search's entries
}

func (a Attributes) withDefaults() Attributes {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&a.Subject, "entryUUID")
	def(&a.Email, "mail")
	def(&a.Name, "cn")
	def(&a.Username, "uid")
	def(&a.Groups, "memberOf")
	def(&a.GroupName, "cn")
	return a
}

// Connector signs users in against one directory. It is safe for
// concurrent use; Close ends its connections.
type Connector struct {
	cfg  Config
	url  *url.URL
	tls  *tls.Config
	pool *pool
	log  *slog.Logger
}

// noSuchUser is the RDN of the entry an unknown name is bound as.
const noSuchUser = "cn=tokenim-no-such-user,"

// Limits on what is typed and what the directory hands back.
const (
	maxUsername = 256
	maxPassword = 1024
)

// Errors Login fails with, wrapping the upstream ones. No such user and
// a wrong password are the same error: the form must not tell which
// names exist.
var (
	errBadCredentials = fmt.Errorf("%w: wrong user name or password", upstream.ErrRefused)
	errDisabled       = fmt.Errorf("%w: the directory account is disabled", upstream.ErrRefused)
	errAmbiguous      = fmt.Errorf("%w: several directory entries have this user name", upstream.ErrRefused)
)

// New checks cfg and returns its Connector; it does not connect yet.
// log gets the connector's faults (never a password); nil discards them.
func New(cfg Config, log *slog.Logger) (*Connector, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return nil, fmt.Errorf("ldap: %s: not an ldap:// or ldaps:// URL: %q", cfg.ID, cfg.URL)
	}
	if u.Scheme == "ldaps" && cfg.StartTLS {
		return nil, fmt.Errorf("ldap: %s: StartTLS is for an ldap:// URL", cfg.ID)
	}
	if u.Port() == "" {
		port := "389"
		if u.Scheme == "ldaps" {
			port = "636"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	if cfg.UserSearch.BaseDN == "" || !strings.Contains(cfg.UserSearch.Filter, "%s") {
		return nil, fmt.Errorf("ldap: %s: the user search needs a base DN and a filter with %%s", cfg.ID)
	}
	if cfg.GroupSearch.BaseDN != "" && !strings.Contains(cfg.GroupSearch.Filter, "%s") {
		return nil, fmt.Errorf("ldap: %s: the group search filter needs %%s", cfg.ID)
	}
	for _, f := range []string{filterFor(cfg.UserSearch.Filter, "x"), filterFor(cfg.GroupSearch.Filter, "x"), cfg.EnabledFilter} {
		if f == "" {
			continue
		}
		if _, err := goldap.CompileFilter(f); err != nil {
			return nil, fmt.Errorf("ldap: %s: filter %q: %w", cfg.ID, f, err)
		}
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 4
	}
	cfg.Attributes = cfg.Attributes.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Connector{
		cfg: cfg,
		url: u,
		tls: &tls.Config{ServerName: u.Hostname(), RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		log: log.With("connector", cfg.ID),
	}
	c.pool = newPool(cfg.PoolSize, c.serviceConn)
	return c, nil
}

// Close ends the pooled connections.
func (c *Connector) Close() error {
	c.pool.close()
	return nil
}

// Login checks username and password at the directory and returns who
// signed in: upstream.ErrRefused (wrapped) for a wrong name or password,
// a disabled account or an ambiguous name; upstream.ErrUnavailable for a
// directory that cannot be reached, times out or fails (with ctx's error
// when ctx ended).
func (c *Connector) Login(ctx context.Context, username, password string) (upstream.Identity, error) {
	if username == "" || len(username) > maxUsername || !upstream.CleanText(username) ||
		password == "" || len(password) > maxPassword || strings.IndexByte(password, 0) >= 0 {
		// An empty password would be an unauthenticated bind (RFC 4513
		// 5.1.2), which directories answer with success.
		return upstream.Identity{}, errBadCredentials
	}
	entry, err := c.findUser(ctx, username)
	if errors.Is(err, errBadCredentials) {
		// No such user: bind anyway, as an entry that is not there, so
		// that the answer costs what a wrong password's does and its time
		// does not tell which names exist.
		_ = c.bindUser(ctx, noSuchUser+c.cfg.UserSearch.BaseDN, password)
		return upstream.Identity{}, errBadCredentials
	}
	if err != nil {
		return upstream.Identity{}, err
	}
	if err := c.bindUser(ctx, entry.DN, password); err != nil {
		return upstream.Identity{}, err
	}
	if disabled(entry) {
		return upstream.Identity{}, errDisabled
	}
	if c.cfg.EnabledFilter != "" {
		n, err := c.search(ctx, entry.DN, goldap.ScopeBaseObject, 1, c.cfg.EnabledFilter, []string{"1.1"})
		if err != nil {
			return upstream.Identity{}, err
		}
		if len(n) == 0 {
			return upstream.Identity{}, errDisabled
		}
	}
	var groups []string
	if c.cfg.GroupSearch.BaseDN != "" {
		entries, err := c.search(ctx, c.cfg.GroupSearch.BaseDN, goldap.ScopeWholeSubtree, upstream.MaxGroups,
			filterFor(c.cfg.GroupSearch.Filter, entry.DN), []string{c.cfg.Attributes.GroupName})
		if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
			return upstream.Identity{}, err
		}
		groups = groupNames(entries, c.cfg.Attributes.GroupName)
	}
	id, err := mapEntry(c.cfg.Attributes, entry, groups, c.cfg.GroupSearch.BaseDN == "")
	if id.Email != "" {
		id.EmailVerified = c.cfg.EmailVerified
	}
	if err != nil {
		c.log.WarnContext(ctx, "ldap: unusable directory entry", "dn", entry.DN, "err", err)
		return upstream.Identity{}, fmt.Errorf("%w: %s: %w", upstream.ErrUnavailable, c.cfg.ID, err)
	}
	id.Connector = c.cfg.ID
	return id, nil
}

// findUser returns the one entry the user search finds for username.
func (c *Connector) findUser(ctx context.Context, username string) (*goldap.Entry, error) {
	a := c.cfg.Attributes
	attrs := []string{a.Subject, a.Email, a.Name, a.Username, uacAttr, lockedAttr}
	if c.cfg.GroupSearch.BaseDN == "" {
		attrs = append(attrs, a.Groups)
	}
	entries, err := c.search(ctx, c.cfg.UserSearch.BaseDN, goldap.ScopeWholeSubtree, 2,
		filterFor(c.cfg.UserSearch.Filter, username), attrs)
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) || len(entries) > 1:
		c.log.WarnContext(ctx, "ldap: the user search finds several entries for one name: narrow its filter")
		return nil, errAmbiguous
	case err != nil:
		return nil, err
	case len(entries) == 0:
		return nil, errBadCredentials
	}
	return entries[0], nil
}

// filterFor puts value, escaped, in place of each %s in filter.
func filterFor(filter, value string) string {
	return strings.ReplaceAll(filter, "%s", goldap.EscapeFilter(value))
}

// search runs one search as the service account on a pooled connection,
// for at most limit entries (more is LDAPResultSizeLimitExceeded, with
// the entries read).
// A connection that fails is dropped; when a reused one fails on the
// network, the search is tried once more on a new one.
func (c *Connector) search(ctx context.Context, base string, scope, limit int, filter string, attrs []string) ([]*goldap.Entry, error) {
	for attempt := 0; ; attempt++ {
		conn, reused, err := c.pool.get(ctx)
		if err != nil {
			return nil, c.unavailable(ctx, "connect", err)
		}
		var res *goldap.SearchResult
		err = c.do(ctx, conn, func() error {
			var err error
			res, err = conn.Search(&goldap.SearchRequest{
				BaseDN: base, Scope: scope, DerefAliases: goldap.NeverDerefAliases,
				SizeLimit: limit, TimeLimit: int(c.cfg.Timeout / time.Second),
				Filter: filter, Attributes: attrs,
			})
			return err
		})
		switch {
		case err == nil:
			c.pool.put(conn)
			return res.Entries, nil
		case goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded):
			c.pool.put(conn)
			return res.Entries, err
		case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) && scope == goldap.ScopeBaseObject:
			c.pool.put(conn)
			return nil, nil
		}
		c.pool.drop(conn)
		if reused && attempt == 0 && ctx.Err() == nil && goldap.IsErrorWithCode(err, goldap.ErrorNetwork) {
			continue
		}
		return nil, c.unavailable(ctx, "search", err)
	}
}

// bindUser binds as dn with password on a connection of its own, closed
// after: the pooled ones stay bound as the service account.
func (c *Connector) bindUser(ctx context.Context, dn, password string) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return c.unavailable(ctx, "connect", err)
	}
	defer conn.Close()
	err = c.do(ctx, conn, func() error { return conn.Bind(dn, password) })
	switch {
	case err == nil:
		return nil
	case goldap.IsErrorAnyOf(err, goldap.LDAPResultInvalidCredentials, goldap.LDAPResultInappropriateAuthentication, goldap.LDAPResultNoSuchObject):
		// NoSuchObject: an entry gone, or the one an unknown name is
		// bound as, on a directory that says so.
		return errBadCredentials
	case goldap.IsErrorAnyOf(err, goldap.LDAPResultUnwillingToPerform, goldap.LDAPResultInsufficientAccessRights):
		// A directory refusing a locked or disabled account's bind.
		return errBadCredentials
	}
	return c.unavailable(ctx, "bind", err)
}

// serviceConn dials a connection bound as the service account.
func (c *Connector) serviceConn(ctx context.Context) (*goldap.Conn, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.do(ctx, conn, func() error { return conn.Bind(c.cfg.BindDN, c.cfg.BindPassword) }); err != nil {
		conn.Close()
		if goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) {
			return nil, errors.New("the directory refused the service account's bind DN or password")
		}
		return nil, err
	}
	return conn, nil
}

// dial connects with ctx and DialTimeout, over TLS for ldaps:// and with
// StartTLS when configured.
func (c *Connector) dial(ctx context.Context) (*goldap.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	d := &net.Dialer{}
	var nc net.Conn
	var err error
	if c.url.Scheme == "ldaps" {
		nc, err = (&tls.Dialer{NetDialer: d, Config: c.tls}).DialContext(ctx, "tcp", c.url.Host)
	} else {
		nc, err = d.DialContext(ctx, "tcp", c.url.Host)
	}
	if err != nil {
		return nil, err
	}
	conn := goldap.NewConn(nc, c.url.Scheme == "ldaps")
	conn.Start()
	if c.cfg.StartTLS {
		if err := c.do(ctx, conn, func() error { return conn.StartTLS(c.tls) }); err != nil {
			conn.Close()
			return nil, fmt.Errorf("StartTLS: %w", err)
		}
	}
	return conn, nil
}

// do runs op on conn within Timeout and ctx: the connection is closed
// when ctx ends first, which ends op.
func (c *Connector) do(ctx context.Context, conn *goldap.Conn, op func() error) error {
	conn.SetTimeout(c.cfg.Timeout)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	err := op()
	if !stop() || ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// unavailable logs a directory fault and returns it as ErrUnavailable
// (with ctx's error when ctx ended).
func (c *Connector) unavailable(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %s: %s: %w", upstream.ErrUnavailable, c.cfg.ID, what, ctx.Err())
	}
	c.log.WarnContext(ctx, "ldap: directory unavailable", "op", what, "err", err)
	return fmt.Errorf("%w: %s: %s: %w", upstream.ErrUnavailable, c.cfg.ID, what, err)
}
