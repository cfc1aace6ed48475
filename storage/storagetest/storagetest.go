package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/storage"
)

// Opener returns a fresh store for one test, empty but for the default
// workspace, and arranges its cleanup. The suites run their cases in parallel (t.Parallel): the store
// of one call must share no records with those of the others.
type Opener func(t *testing.T) storage.Store

type test struct {
	name string
	run  func(t *testing.T, s storage.Store)
}

// Run runs every contract case against stores made by open, each case on a
// fresh store, the cases in parallel.
func Run(t *testing.T, open Opener) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"clients", clientTests()},
		{"access_token_format", accessTokenFormatTests()},
		{"signing and encryption algorithms", idTokenAlgTests()},
		{"client_state", clientStateTests()},
		{"jtis", jtiTests()},
		{"users", userTests()},
		{"login_sessions", append(sessionTests(), upstreamSessionTests()...)},
		{"backchannel_logout", backchannelTests()},
		{"webhooks", webhookTests()},
		{"flows", flowTests()},
		{"device_authorizations", deviceTests()},
		{"tokens", tokenTests()},
		{"consents", consentTests()},
		{"scope_grants", scopeGrantTests()},
		{"detail_grants", detailGrantTests()},
		{"keys", keyTests()},
		{"links", linkTests()},
		{"passkeys", passkeyTests()},
		{"workspaces", workspaceTests()},
		{"installations", installationTests()},
		{"upstreams", upstreamTests()},
		{"resources", resourceTests()},
		{"exchange_policies", exchangePolicyTests()},
		{"scim", scimTests()},
		{"registration", registrationTests()},
		{"counters", counterTests()},
		{"revoke_subject", revokeSubjectTests()},
		{"cache_epoch", epochTests()},
		{"transactions", txTests()},
		{"janitor", janitorTests()},
		{"audit", auditTests()},
		{"refs", refTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, open(t))
				})
			}
		})
	}
}

// at returns a fixed instant plus d: whole seconds, as every backend keeps
// them exactly.
func at(d time.Duration) time.Time {
	return time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC).Add(d)
}

// same compares records: times by instant, nil and empty slices alike.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// errOf is the error of a call whose other result the test does not
// look at.
func errOf[T any](_ T, err error) error { return err }

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

func mustBe(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// Now is the instant the suite's records are dated from: a clock for a
// decorator whose caching depends on expiry, so that the suite's tokens
// are live to it.
func Now() time.Time { return at(0) }
