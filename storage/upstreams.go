package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The kinds of upstream identity providers (Connector.Kind).
const (
	ConnectorOIDC     = "oidc"
	ConnectorGitHub   = "oauth2-github"
	ConnectorWeCom    = "wecom"
	ConnectorDingTalk = "dingtalk"
	ConnectorFeishu   = "feishu"
	ConnectorWeChat   = "wechat"
	ConnectorLDAP     = "ldap"
	ConnectorSAML     = "saml"
)

// ConnectorKinds lists every kind, in the order the console shows them.
var ConnectorKinds = []string{
	ConnectorOIDC, ConnectorGitHub, ConnectorWeCom, ConnectorDingTalk,
	ConnectorFeishu, ConnectorWeChat, ConnectorLDAP, ConnectorSAML,
}

// Connector is an upstream identity provider managed in the console.
// Connectors configured in YAML (config's upstreams) are never stored:
// the store holds the console's alone, and the wiring merges both, a
// configured connector shadowing a stored one of the same ID.
type Connector struct {
	// ID is short, unique and lower-case; with a subject it names an
	// upstream identity (LinkedIdentity).
	ID   string
	Kind string
	// Name and NameZH are the display names in English and Simplified
	// Chinese (NameZH empty: Name in both).
	Name   string
	NameZH string
	// Icon is a known icon name or small image data; empty for none.
	Icon string
	// Settings are the kind's non-secret settings as JSON (an issuer, a
	// client ID, an LDAP search base...), nil for none: the store keeps
	// them as given.
	Settings json.RawMessage
	// SealedSecret is the client secret or bind password sealed with the
	// system secret (provider/upstream.Secrets): the store keeps bytes.
	SealedSecret []byte
	// Domains are the email domains routed to this connector, lower-case
	// (the store lowers them) and unique across connectors.
	Domains []string
	// OnlyWay makes the connector the only way in for its domains.
	OnlyWay bool
	// JIT creates an account, with DefaultRole, on a first sign-in.
	JIT         bool
	DefaultRole string
	// LinkUnverifiedEmail lets an email the upstream did not verify link
	// an existing account.
	LinkUnverifiedEmail bool
	// RoleMapping maps the upstream's claim or group values to roles.
	RoleMapping []RoleMapping
	Disabled    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RoleMapping gives Role to a user whose Claim (a claim name, or
// "groups") holds Value.
type RoleMapping struct {
	Claim string `json:"claim"`
	Value string `json:"value"`
	Role  string `json:"role"`
}

// Clone returns a deep copy of c.
func (c Connector) Clone() Connector {
	c.Settings = slices.Clone(c.Settings)
	c.SealedSecret = slices.Clone(c.SealedSecret)
	c.Domains = slices.Clone(c.Domains)
	c.RoleMapping = slices.Clone(c.RoleMapping)
	return c
}

// Normalized returns a copy of c as a backend stores it, or
// ErrInvalidInput: Settings that are not JSON are refused, and the domains
// are lowered. Every backend calls it before writing.
func (c Connector) Normalized() (Connector, error) {
	c = c.Clone()
	if c.Settings != nil && !json.Valid(c.Settings) {
		return Connector{}, fmt.Errorf("connector %s: settings are not JSON: %w", c.ID, ErrInvalidInput)
	}
	for i, d := range c.Domains {
		c.Domains[i] = strings.ToLower(d)
	}
	return c, nil
}

// LinkedIdentity links an upstream identity (a connector's subject) to an
// account. An account has at most one identity per connector (as
// Keycloak's one link per identity provider), and an identity one
// account.
type LinkedIdentity struct {
	ConnectorID string
	Subject     string
	UserID      string
	// Email is the upstream's email when the link was made.
	Email      string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Upstreams stores the connectors managed in the console and the
// upstream identities linked to accounts. An account's links go with it,
// and a stored connector's with the connector. Links name a connector by
// ID only: a configured (YAML) connector has links too, and they stay
// when it leaves the configuration, to be found again if it comes back.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type Upstreams interface {
	// CreateConnector stores c. ErrAlreadyExists if c.ID exists or one of
	// its domains is another connector's; ErrInvalidInput for settings
	// that are not JSON.
	CreateConnector(ctx context.Context, c Connector) error
	// GetConnector returns the connector with id. ErrNotFound if absent.
	GetConnector(ctx context.Context, id string) (Connector, error)
	// GetConnectorByDomain returns the connector the email domain
	// (any case) is routed to. ErrNotFound if none.
	GetConnectorByDomain(ctx context.Context, domain string) (Connector, error)
	// ListConnectors returns every stored connector ordered by ID.
	ListConnectors(ctx context.Context) ([]Connector, error)
	// UpdateConnector reads the connector, passes it to update and stores
	// the result, atomically, and returns what was stored. An error of
	// update is returned as it is, and nothing changes; an update that
	// changes the ID is refused. ErrNotFound if absent; ErrAlreadyExists
	// if a new domain is another connector's.
	UpdateConnector(ctx context.Context, id string, update func(Connector) (Connector, error)) (Connector, error)
	// DeleteConnector removes the connector and the identities linked
	// through it. ErrNotFound if absent.
	DeleteConnector(ctx context.Context, id string) error

	// LinkIdentity stores l. ErrAlreadyExists if the identity is linked
	// already (to any account) or the account has an identity of the
	// connector already; ErrNotFound if the account does not exist.
	LinkIdentity(ctx context.Context, l LinkedIdentity) error
	// GetLinkedIdentity returns the link of the connector's subject.
	// ErrNotFound if it is not linked.
	GetLinkedIdentity(ctx context.Context, connectorID, subject string) (LinkedIdentity, error)
	// ListUserIdentities returns the account's links ordered by
	// connector ID.
	ListUserIdentities(ctx context.Context, userID string) ([]LinkedIdentity, error)
	// UnlinkIdentity removes the account's link of the connector's
	// subject. ErrNotFound if there is none, or it is another account's.
	UnlinkIdentity(ctx context.Context, userID, connectorID, subject string) error
	// TouchIdentity sets the link's LastUsedAt to at. ErrNotFound if it
	// is not linked.
	TouchIdentity(ctx context.Context, connectorID, subject string, at time.Time) error
}
