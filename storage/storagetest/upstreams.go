package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleConnector(id string, domains ...string) storage.Connector {
	return storage.Connector{
		ID: id, Kind: storage.ConnectorOIDC, Name: "Acme SSO " + id, NameZH: "Acme 单点登录", Icon: "okta",
		Settings:     json.RawMessage(`{"issuer":"https://sso.acme.example","client_id":"tokenim","scopes":["openid","email"]}`),
		SealedSecret: []byte{0x01, 0x00, 0xff, 0x7f},
		Domains:      domains, OnlyWay: true, JIT: true, DefaultRole: "member", LinkUnverifiedEmail: true,
		RoleMapping: []storage.RoleMapping{{Claim: "groups", Value: "admins", Role: "admin"}, {Claim: "dept", Value: "研发", Role: "developer"}},
		CreatedAt:   at(0), UpdatedAt: at(0),
	}
}

func sampleIdentity(connectorID, subject, userID string) storage.LinkedIdentity {
	return storage.LinkedIdentity{ConnectorID: connectorID, Subject: subject, UserID: userID,
		Email: userID + "@acme.example", CreatedAt: at(0), LastUsedAt: at(0)}
}

func upstreamTests() []test {
	return []test{
		{"a connector is stored whole and found by ID and by each domain in any case", func(t *testing.T, s storage.Store) {
			c := sampleConnector("acme", "acme.example", "Acme.CN")
			must(t, s.CreateConnector(t.Context(), c), "create")
			want := c.Clone()
			want.Domains = []string{"acme.example", "acme.cn"}
			got, err := s.GetConnector(t.Context(), "acme")
			must(t, err, "get")
			same(t, "connector", got, want)
			for _, d := range []string{"acme.example", "ACME.cn"} {
				got, err = s.GetConnectorByDomain(t.Context(), d)
				must(t, err, "get by domain "+d)
				same(t, "connector by domain "+d, got, want)
			}
			_, err = s.GetConnector(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get unknown")
			_, err = s.GetConnectorByDomain(t.Context(), "other.example")
			mustBe(t, err, storage.ErrNotFound, "get by an unrouted domain")
			got.Domains[0], got.SealedSecret[0], got.Settings[0] = "changed", 9, ' '
			again, err := s.GetConnector(t.Context(), "acme")
			must(t, err, "get again")
			same(t, "connector after the caller changed its copy", again, want)
		}},
		{"a connector without settings, secret, domains or mapping reads back empty", func(t *testing.T, s storage.Store) {
			c := storage.Connector{ID: "gh", Kind: storage.ConnectorGitHub, Name: "GitHub"}
			must(t, s.CreateConnector(t.Context(), c), "create")
			got, err := s.GetConnector(t.Context(), "gh")
			must(t, err, "get")
			same(t, "connector", got, c)
			if got.Settings != nil {
				t.Errorf("settings = %q, want none", got.Settings)
			}
		}},
		{"connector IDs and domains are unique; settings must be JSON", func(t *testing.T, s storage.Store) {
			must(t, s.CreateConnector(t.Context(), sampleConnector("acme", "acme.example")), "create")
			mustBe(t, s.CreateConnector(t.Context(), sampleConnector("acme", "other.example")), storage.ErrAlreadyExists, "same ID")
			mustBe(t, s.CreateConnector(t.Context(), sampleConnector("b", "ACME.example")), storage.ErrAlreadyExists, "a domain another connector has")
			mustBe(t, s.CreateConnector(t.Context(), sampleConnector("c", "c.example", "C.example")), storage.ErrAlreadyExists, "a domain twice")
			bad := sampleConnector("d", "d.example")
			bad.Settings = json.RawMessage(`{"issuer":`)
			mustBe(t, s.CreateConnector(t.Context(), bad), storage.ErrInvalidInput, "settings that are not JSON")
			for _, id := range []string{"b", "c", "d"} {
				_, err := s.GetConnector(t.Context(), id)
				mustBe(t, err, storage.ErrNotFound, "refused connector "+id)
			}
			list, err := s.ListConnectors(t.Context())
			must(t, err, "list")
			if len(list) != 1 || list[0].ID != "acme" {
				t.Fatalf("connectors = %v, want acme alone", list)
			}
		}},
		{"a connector update is atomic, moves its domains, keeps its ID, and an error of the updater changes nothing", func(t *testing.T, s storage.Store) {
			must(t, s.CreateConnector(t.Context(), sampleConnector("acme", "acme.example", "acme.cn")), "create")
			must(t, s.CreateConnector(t.Context(), sampleConnector("beta", "beta.example")), "create beta")
			want := sampleConnector("acme", "acme.cn", "acme.org")
			want.Disabled, want.OnlyWay, want.SealedSecret, want.UpdatedAt = true, false, []byte("resealed"), at(time.Hour)
			got, err := s.UpdateConnector(t.Context(), "acme", func(c storage.Connector) (storage.Connector, error) {
				c.Domains = []string{"acme.cn", "ACME.org"}
				c.Disabled, c.OnlyWay, c.SealedSecret, c.UpdatedAt = true, false, []byte("resealed"), at(time.Hour)
				return c, nil
			})
			must(t, err, "update")
			same(t, "returned", got, want)
			stored, err := s.GetConnector(t.Context(), "acme")
			must(t, err, "get")
			same(t, "stored", stored, want)
			_, err = s.GetConnectorByDomain(t.Context(), "acme.example")
			mustBe(t, err, storage.ErrNotFound, "the domain it left")
			byDomain, err := s.GetConnectorByDomain(t.Context(), "acme.org")
			must(t, err, "the domain it took")
			same(t, "by its new domain", byDomain, want)

			boom := errors.New("boom")
			_, err = s.UpdateConnector(t.Context(), "acme", func(c storage.Connector) (storage.Connector, error) {
				c.Name = "changed"
				return c, boom
			})
			mustBe(t, err, boom, "updater's error")
			_, err = s.UpdateConnector(t.Context(), "acme", func(c storage.Connector) (storage.Connector, error) {
				c.Domains = append(c.Domains, "beta.example")
				c.Name = "changed"
				return c, nil
			})
			mustBe(t, err, storage.ErrAlreadyExists, "taking another connector's domain")
			_, err = s.UpdateConnector(t.Context(), "acme", func(c storage.Connector) (storage.Connector, error) {
				c.ID = "other"
				return c, nil
			})
			if err == nil {
				t.Fatal("an update changing the ID was accepted")
			}
			_, err = s.UpdateConnector(t.Context(), "acme", func(c storage.Connector) (storage.Connector, error) {
				c.Settings = json.RawMessage("not json")
				return c, nil
			})
			mustBe(t, err, storage.ErrInvalidInput, "settings that are not JSON")
			stored, err = s.GetConnector(t.Context(), "acme")
			must(t, err, "get after refused updates")
			same(t, "after refused updates", stored, want)
			beta, err := s.GetConnectorByDomain(t.Context(), "beta.example")
			must(t, err, "beta keeps its domain")
			if beta.ID != "beta" {
				t.Fatalf("beta.example routes to %s, want beta", beta.ID)
			}
			_, err = s.UpdateConnector(t.Context(), "nope", func(c storage.Connector) (storage.Connector, error) { return c, nil })
			mustBe(t, err, storage.ErrNotFound, "update unknown")
		}},
		{"connectors are listed by ID", func(t *testing.T, s storage.Store) {
			for _, id := range []string{"okta", "acme", "ldap"} {
				must(t, s.CreateConnector(t.Context(), sampleConnector(id, id+".example")), "create "+id)
			}
			list, err := s.ListConnectors(t.Context())
			must(t, err, "list")
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			same(t, "IDs", ids, []string{"acme", "ldap", "okta"})
			same(t, "first", list[0], sampleConnector("acme", "acme.example"))
		}},
		{"a deleted connector frees its domains and takes its links, not another connector's", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@acme.example")
			must(t, s.CreateConnector(t.Context(), sampleConnector("acme", "acme.example")), "create")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-1", "u1")), "link acme")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("google", "sub-1", "u1")), "link a configured connector's")
			must(t, s.DeleteConnector(t.Context(), "acme"), "delete")
			mustBe(t, s.DeleteConnector(t.Context(), "acme"), storage.ErrNotFound, "delete again")
			_, err := s.GetConnectorByDomain(t.Context(), "acme.example")
			mustBe(t, err, storage.ErrNotFound, "its domain")
			_, err = s.GetLinkedIdentity(t.Context(), "acme", "sub-1")
			mustBe(t, err, storage.ErrNotFound, "its link")
			_, err = s.GetLinkedIdentity(t.Context(), "google", "sub-1")
			must(t, err, "another connector's link stays")
			must(t, s.CreateConnector(t.Context(), sampleConnector("acme2", "acme.example")), "the freed domain for another")
		}},
		{"an identity is linked to one account, and an account has one identity per connector", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@acme.example")
			seedUser(t, s, "u2", "bob@acme.example")
			l := sampleIdentity("acme", "sub-1", "u1")
			must(t, s.LinkIdentity(t.Context(), l), "link")
			got, err := s.GetLinkedIdentity(t.Context(), "acme", "sub-1")
			must(t, err, "get")
			same(t, "link", got, l)
			mustBe(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-1", "u2")), storage.ErrAlreadyExists, "the identity to another account")
			mustBe(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-2", "u1")), storage.ErrAlreadyExists, "a second identity of the connector")
			mustBe(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-3", "nope")), storage.ErrNotFound, "an unknown account")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("github", "sub-1", "u1")), "the same subject at another connector")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-2", "u2")), "another account's identity")
			_, err = s.GetLinkedIdentity(t.Context(), "acme", "SUB-1")
			mustBe(t, err, storage.ErrNotFound, "a subject differing in case")
			list, err := s.ListUserIdentities(t.Context(), "u1")
			must(t, err, "list")
			same(t, "u1's links", list, []storage.LinkedIdentity{l, sampleIdentity("github", "sub-1", "u1")})
			list, err = s.ListUserIdentities(t.Context(), "nope")
			must(t, err, "list unknown")
			same(t, "an unknown account's links", list, []storage.LinkedIdentity(nil))
		}},
		{"an account unlinks its own identity only", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@acme.example")
			seedUser(t, s, "u2", "bob@acme.example")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-1", "u1")), "link")
			mustBe(t, s.UnlinkIdentity(t.Context(), "u2", "acme", "sub-1"), storage.ErrNotFound, "another account's")
			_, err := s.GetLinkedIdentity(t.Context(), "acme", "sub-1")
			must(t, err, "still linked")
			must(t, s.UnlinkIdentity(t.Context(), "u1", "acme", "sub-1"), "unlink")
			mustBe(t, s.UnlinkIdentity(t.Context(), "u1", "acme", "sub-1"), storage.ErrNotFound, "unlink again")
			must(t, s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-1", "u2")), "the freed identity to another account")
		}},
		{"a touch sets the last use of a linked identity only", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@acme.example")
			l := sampleIdentity("acme", "sub-1", "u1")
			must(t, s.LinkIdentity(t.Context(), l), "link")
			must(t, s.TouchIdentity(t.Context(), "acme", "sub-1", at(time.Hour)), "touch")
			l.LastUsedAt = at(time.Hour)
			got, err := s.GetLinkedIdentity(t.Context(), "acme", "sub-1")
			must(t, err, "get")
			same(t, "touched", got, l)
			mustBe(t, s.TouchIdentity(t.Context(), "acme", "nope", at(time.Hour)), storage.ErrNotFound, "touch unknown")
		}},
		{"connector and link writes join a transaction and go with its rollback", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@acme.example")
			boom := errors.New("boom")
			err := storage.InTx(t.Context(), s, func(ctx context.Context) error {
				if err := s.CreateConnector(ctx, sampleConnector("acme", "acme.example")); err != nil {
					return err
				}
				if err := s.LinkIdentity(ctx, sampleIdentity("acme", "sub-1", "u1")); err != nil {
					return err
				}
				return boom
			})
			mustBe(t, err, boom, "transaction")
			_, err = s.GetConnectorByDomain(t.Context(), "acme.example")
			mustBe(t, err, storage.ErrNotFound, "connector rolled back")
			_, err = s.GetLinkedIdentity(t.Context(), "acme", "sub-1")
			mustBe(t, err, storage.ErrNotFound, "link rolled back")
		}},
	}
}

// concurrentUpstreams races connectors for a domain and accounts for an
// identity.
func concurrentUpstreams(t *testing.T, open Opener, racers int, race func(func(i int) error) []error) {
	t.Run("parallel connectors claiming one domain: exactly one gets it", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		errs := race(func(i int) error {
			return s.CreateConnector(t.Context(), sampleConnector(fmt.Sprintf("c%d", i), "acme.example"))
		})
		exactlyOne(t, errs, storage.ErrAlreadyExists)
		list, err := s.ListConnectors(t.Context())
		must(t, err, "list")
		if len(list) != 1 {
			t.Fatalf("%d connectors stored, want 1", len(list))
		}
	})
	t.Run("parallel links of one identity to different accounts: exactly one is linked", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for i := range racers {
			seedUser(t, s, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i))
		}
		errs := race(func(i int) error {
			return s.LinkIdentity(t.Context(), sampleIdentity("acme", "sub-1", fmt.Sprintf("u%d", i)))
		})
		exactlyOne(t, errs, storage.ErrAlreadyExists)
	})
}
