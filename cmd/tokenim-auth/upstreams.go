package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/upstream/ldap"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/provider/upstream/saml"
	"github.com/tokenim/tokenim-auth/storage"
)

// withUpstreamSecrets returns cfg with each configured connector's secret
// read (from the YAML, its file or its environment variable, looked up
// with lookupEnv) into the plain field, so that building the connectors
// needs no environment. A disabled connector's is left unread.
func withUpstreamSecrets(cfg config.Config, lookupEnv func(string) (string, bool)) (config.Config, error) {
	ups := slices.Clone(cfg.Upstreams)
	for i, u := range ups {
		if u.Disabled {
			continue
		}
		s, err := u.Secret(lookupEnv)
		if err != nil {
			return cfg, err
		}
		if u.Kind == storage.ConnectorLDAP {
			ups[i].BindPassword, ups[i].BindPasswordFile, ups[i].BindPasswordEnv = s, "", ""
		} else {
			ups[i].ClientSecret, ups[i].ClientSecretFile, ups[i].ClientSecretEnv = s, "", ""
		}
	}
	cfg.Upstreams = ups
	return cfg, nil
}

// upstreamBuilder turns a connector's configuration (its secret read)
// into what the sign-in pages drive.
type upstreamBuilder struct {
	cfg config.Config
	// jtis remembers the SAML assertions used, across nodes.
	jtis   storage.JTIs
	logger *slog.Logger
}

// build returns the sign-in pages' connector for u.
func (b upstreamBuilder) build(u config.Upstream) (login.Upstream, error) {
	out := login.Upstream{
		ID: u.ID, Name: u.Name, NameZH: u.NameZH, Icon: u.Icon, JIT: u.JIT, DefaultRole: u.DefaultRole,
		Domains: u.Domains, OnlyWay: u.OnlyWay, LinkUnverifiedEmail: u.LinkUnverifiedEmail,
	}
	for _, m := range u.RoleMapping {
		out.RoleMapping = append(out.RoleMapping, storage.RoleMapping{Claim: m.Claim, Value: m.Value, Role: m.Role})
	}
	switch u.Kind {
	case storage.ConnectorOIDC:
		oc := oidc.Config{
			ID: u.ID, Issuer: u.Issuer, Preset: oidc.Preset(u.Preset), Tenant: u.Tenant,
			ClientID: u.ClientID, ClientSecret: u.ClientSecret, RedirectURL: b.cfg.RedirectURL(u.ID), Scopes: u.Scopes,
			JTIs: storage.Once{JTIs: b.jtis}, Logger: b.logger,
		}
		if u.Preset == string(oidc.Apple) {
			key, err := appleKey(u.PrivateKeyFile)
			if err != nil {
				return out, fmt.Errorf("upstream %s: %w", u.ID, err)
			}
			oc.Apple = &oidc.AppleKey{TeamID: u.TeamID, KeyID: u.KeyID, Key: key}
			// Apple posts its answer (response_mode=form_post).
			out.FormPost = true
		}
		c, err := oidc.New(oc)
		if err != nil {
			return out, fmt.Errorf("upstream %s: %w", u.ID, err)
		}
		out.Connector, out.Logout, out.EndUpstreamSession = c, c, u.EndUpstreamSession
	case storage.ConnectorGitHub, storage.ConnectorWeCom, storage.ConnectorDingTalk, storage.ConnectorFeishu, storage.ConnectorWeChat:
		pc := platform.Config{
			ID: u.ID, Kind: u.Kind, ClientID: u.ClientID, ClientSecret: u.ClientSecret,
			CorpID: u.CorpID, AgentID: u.AgentID, AppID: u.AppID,
			RedirectURL: b.cfg.RedirectURL(u.ID), Scopes: u.Scopes, Logger: b.logger,
		}
		switch {
		case u.BaseURL != "":
			pc.Endpoints = platform.GitHubEnterprise(u.BaseURL)
		case u.Lark:
			pc.Endpoints = platform.LarkEndpoints()
		}
		c, err := platform.New(pc)
		if err != nil {
			return out, fmt.Errorf("upstream %s: %w", u.ID, err)
		}
		out.Connector = c
	case storage.ConnectorLDAP:
		lc := ldap.Config{
			ID: u.ID, URL: u.URL, StartTLS: u.StartTLS, BindDN: u.BindDN, BindPassword: u.BindPassword,
			UserSearch:    ldap.Search{BaseDN: u.UserSearch.BaseDN, Filter: u.UserSearch.Filter},
			GroupSearch:   ldap.Search{BaseDN: u.GroupSearch.BaseDN, Filter: u.GroupSearch.Filter},
			EnabledFilter: u.EnabledFilter, EmailVerified: u.EmailVerified,
			Attributes: ldap.Attributes{
				Subject: u.Attributes.Subject, Email: u.Attributes.Email, Name: u.Attributes.Name,
				Username: u.Attributes.Username, Groups: u.Attributes.Groups, GroupName: u.Attributes.GroupName,
			},
		}
		if u.CAFile != "" {
			pem, err := os.ReadFile(u.CAFile)
			if err != nil {
				return out, fmt.Errorf("upstream %s: read ca_file: %w", u.ID, err)
			}
			lc.RootCAs = x509.NewCertPool()
			if !lc.RootCAs.AppendCertsFromPEM(pem) {
				return out, fmt.Errorf("upstream %s: ca_file %s holds no PEM certificate", u.ID, u.CAFile)
			}
		}
		c, err := ldap.New(lc, b.logger)
		if err != nil {
			return out, fmt.Errorf("upstream %s: %w", u.ID, err)
		}
		out.Directory = c
	case storage.ConnectorSAML:
		sc := saml.Config{
			ID: u.ID, EntityID: u.EntityID, ACSURL: b.cfg.RedirectURL(u.ID), MetadataURL: u.MetadataURL,
			Replays: storage.Once{JTIs: b.jtis, Prefix: "saml:"}, Logger: b.logger, TrustEmail: u.EmailVerified,
			Attributes: saml.Attributes{Email: names(u.Attributes.Email), Name: names(u.Attributes.Name),
				Username: names(u.Attributes.Username), Groups: names(u.Attributes.Groups)},
		}
		if u.SPKeyFile != "" {
			pair, err := tls.LoadX509KeyPair(u.SPCertificateFile, u.SPKeyFile)
			if err != nil {
				return out, fmt.Errorf("upstream %s: the service provider key pair: %w", u.ID, err)
			}
			signer, ok := pair.PrivateKey.(crypto.Signer)
			if !ok {
				return out, fmt.Errorf("upstream %s: sp_key_file holds no signing key", u.ID)
			}
			sc.Key, sc.Certificate = signer, pair.Leaf
		}
		if u.MetadataFile != "" {
			xml, err := os.ReadFile(u.MetadataFile)
			if err != nil {
				return out, fmt.Errorf("upstream %s: read the metadata: %w", u.ID, err)
			}
			sc.MetadataXML = xml
		}
		c, err := saml.New(sc)
		if err != nil {
			return out, fmt.Errorf("upstream %s: %w", u.ID, err)
		}
		out.SAML, out.FormPost = c, true
	default:
		return out, fmt.Errorf("upstream %s: %w: kind %s", u.ID, errNotServed, u.Kind)
	}
	return out, nil
}

// names is an attribute name configured, as the SAML connector's list of
// names to try (nil: its defaults).
func names(name string) []string {
	if name == "" {
		return nil
	}
	return []string{name}
}

// errNotServed: a kind this build does not sign in with.
var errNotServed = errors.New("not served")

// appleKey reads Sign in with Apple's private key (PKCS #8 PEM, as Apple
// hands it out).
func appleKey(file string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the Apple key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("the Apple key file %s holds no PEM block", file)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the Apple key file %s: %w", file, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the Apple key file %s holds no EC key", file)
	}
	return ec, nil
}

// storedConnectors is what the connector directory reads of storage,
// and where SAML assertions are remembered.
type storedConnectors interface {
	ListConnectors(ctx context.Context) ([]storage.Connector, error)
	storage.JTIs
}

// upstreamDirectory is the sign-in pages' connectors
// (login.UpstreamSource): the configured ones, built once at start, then
// the console's, read from storage every storeRefresh and rebuilt when
// they change. A configured connector shadows a stored one of the same
// ID, even a disabled one.
type upstreamDirectory struct {
	configured []login.Upstream
	shadowed   map[string]bool
	store      storedConnectors
	// open turns a stored connector into its configuration, its secret
	// opened.
	open   func(storage.Connector) (config.Upstream, error)
	build  func(config.Upstream) (login.Upstream, error)
	logger *slog.Logger

	// stored is the list in use, the configured connectors then the
	// console's (readStored); nil: the configured ones alone.
	stored *storedSet[[]login.Upstream]
	// built are the console's connectors as last built, by ID; only
	// readStored uses it, under stored's lock.
	built map[string]builtUpstream
}

// builtUpstream is a stored connector as built, and the version it was
// built from.
type builtUpstream struct {
	updatedAt time.Time
	upstream  login.Upstream
	err       error
}

// Upstreams returns the connectors in use: the configured ones, then the
// console's in ID order. A stored connector that cannot be built is
// logged (once per version) and left out; a store that cannot be read
// keeps the last list (the configured ones until one is read).
func (d *upstreamDirectory) Upstreams(ctx context.Context) []login.Upstream {
	if d.stored == nil {
		return d.configured
	}
	list, ok := d.stored.get(ctx)
	if !ok {
		return d.configured
	}
	return list
}

// readStored reads the console's connectors and returns the list in use,
// building those new or changed since the last read and closing those
// gone.
func (d *upstreamDirectory) readStored(ctx context.Context) ([]login.Upstream, error) {
	stored, err := d.store.ListConnectors(ctx)
	if err != nil {
		return nil, err
	}
	list := slices.Clone(d.configured)
	built := map[string]builtUpstream{}
	for _, c := range stored {
		if d.shadowed[c.ID] || c.Disabled {
			continue
		}
		b, ok := d.built[c.ID]
		if !ok || !b.updatedAt.Equal(c.UpdatedAt) {
			closeUpstream(b.upstream)
			b = builtUpstream{updatedAt: c.UpdatedAt}
			var u config.Upstream
			if u, b.err = d.open(c); b.err == nil {
				b.upstream, b.err = d.build(u)
			}
			if b.err != nil {
				d.logger.ErrorContext(ctx, "upstream connector not offered", "connector", c.ID, "err", b.err)
			}
		}
		built[c.ID] = b
		if b.err == nil {
			list = append(list, b.upstream)
		}
	}
	for id, b := range d.built {
		if _, ok := built[id]; !ok {
			closeUpstream(b.upstream)
		}
	}
	d.built = built
	return list, nil
}

// closeUpstream ends a connector's connections (a directory's pool).
func closeUpstream(u login.Upstream) {
	if c, ok := u.Directory.(io.Closer); ok {
		c.Close()
	}
}

// loginUpstreams builds the sign-in pages' connector directory: the
// enabled connectors of cfg.Upstreams, in their order, and the console's
// from store. A configured connector that cannot be built stops the
// start, naming it; one of a kind this build does not serve is logged and
// left out.
func loginUpstreams(ctx context.Context, cfg config.Config, store storedConnectors, open func(storage.Connector) (config.Upstream, error), logger *slog.Logger) (*upstreamDirectory, error) {
	b := upstreamBuilder{cfg: cfg, jtis: store, logger: logger}
	d := &upstreamDirectory{shadowed: map[string]bool{}, store: store, open: open, build: b.build, logger: logger}
	if store != nil && open != nil {
		d.stored = newStoredSet("upstream connectors", d.readStored, logger)
	}
	for _, u := range cfg.Upstreams {
		d.shadowed[u.ID] = true
		if u.Disabled {
			continue
		}
		built, err := b.build(u)
		if errors.Is(err, errNotServed) {
			logger.WarnContext(ctx, "upstream connector not offered: this kind is not served", "connector", u.ID, "kind", u.Kind)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("upstreams: %w", err)
		}
		d.configured = append(d.configured, built)
	}
	return d, nil
}
