package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

var _ storage.Store = (*Store)(nil)

type tokenKey struct {
	kind      storage.TokenKind
	signature string
}

type consentKey struct {
	userID, clientID string
}

// Store keeps every record in maps behind one mutex.
type Store struct {
	mu sync.Mutex

	clients  map[string]storage.Client
	users    map[string]storage.User
	emails   map[string]string // lower-cased email → user ID
	sessions map[string]storage.LoginSession
	flows    map[string]storage.Flow
	devices  map[string]storage.DeviceAuthorization // by device code signature
	// userCodes maps each device request's user code signature to its
	// device code signature.
	userCodes map[string]string
	// signIns maps a (session, client) pair to the session's sid.
	signIns    map[signInKey]string
	deliveries map[int64]storage.LogoutDelivery
	// lastDelivery is the ID of the last delivery queued.
	lastDelivery int64
	tokens       map[tokenKey]storage.Token
	consents     map[consentKey]storage.Consent
	detailGrants map[detailKey]storage.DetailGrant
	keys         map[string]storage.SigningKey
	jtis         map[string]time.Time
	links        map[string]storage.OneTimeLink
	passkeys     map[string]storage.Passkey // by credential ID
	workspaces   map[string]storage.Workspace
	handles      map[string]string // handle → workspace ID
	members      map[memberKey]storage.Member
	invitations  map[string]storage.Invitation // by ID
	inviteTokens map[string]string             // token hash → invitation ID
	counters     map[string]storage.Counter
	scim         scimMaps
	regTokens    map[string]storage.RegistrationToken // initial access tokens by ID
	installs     installMaps
	upstreams    upstreamMaps
	resources    map[string]storage.Resource       // by URI
	exchange     map[string]storage.ExchangePolicy // by client ID
	webhooks     webhookMaps
	epoch        int64
	audit        auditLog
	locks        map[string]bool // names held through TryLock
}

// New returns an empty store: it holds the default workspace alone, as a
// migrated Postgres schema does.
func New() *Store {
	return &Store{
		clients:      map[string]storage.Client{},
		users:        map[string]storage.User{},
		emails:       map[string]string{},
		sessions:     map[string]storage.LoginSession{},
		signIns:      map[signInKey]string{},
		deliveries:   map[int64]storage.LogoutDelivery{},
		flows:        map[string]storage.Flow{},
		devices:      map[string]storage.DeviceAuthorization{},
		userCodes:    map[string]string{},
		tokens:       map[tokenKey]storage.Token{},
		consents:     map[consentKey]storage.Consent{},
		detailGrants: map[detailKey]storage.DetailGrant{},
		keys:         map[string]storage.SigningKey{},
		jtis:         map[string]time.Time{},
		links:        map[string]storage.OneTimeLink{},
		passkeys:     map[string]storage.Passkey{},
		workspaces:   map[string]storage.Workspace{storage.DefaultWorkspaceID: defaultWorkspace()},
		handles:      map[string]string{defaultWorkspace().Handle: storage.DefaultWorkspaceID},
		members:      map[memberKey]storage.Member{},
		invitations:  map[string]storage.Invitation{},
		inviteTokens: map[string]string{},
		counters:     map[string]storage.Counter{},
		scim:         newSCIMMaps(),
		regTokens:    map[string]storage.RegistrationToken{},
		installs:     newInstallMaps(),
		upstreams:    newUpstreamMaps(),
		resources:    map[string]storage.Resource{},
		exchange:     map[string]storage.ExchangePolicy{},
		webhooks:     newWebhookMaps(),
		locks:        map[string]bool{},
	}
}

// Ping always succeeds: the store lives in the process.
func (s *Store) Ping(context.Context) error { return nil }

// Close does nothing; the maps go with the process.
func (s *Store) Close() {}

// txKey marks a context carrying a transaction of this store.
type txKey struct{ s *Store }

// txn is an open transaction: the mutex is held, and undo reverts every
// write made so far, newest first.
type txn struct {
	undo []func()
	done bool
}

func (s *Store) txFrom(ctx context.Context) *txn {
	t, _ := ctx.Value(txKey{s}).(*txn)
	if t == nil || t.done {
		return nil
	}
	return t
}

// BeginTx locks the store until Commit or Rollback.
func (s *Store) BeginTx(ctx context.Context) (context.Context, error) {
	if s.txFrom(ctx) != nil {
		return ctx, storage.ErrNestedTx
	}
	s.mu.Lock()
	return context.WithValue(ctx, txKey{s}, &txn{}), nil
}

// Commit keeps the transaction's writes and unlocks the store.
func (s *Store) Commit(ctx context.Context) error {
	t := s.txFrom(ctx)
	if t == nil {
		return storage.ErrNoTx
	}
	t.done = true
	t.undo = nil
	s.mu.Unlock()
	return nil
}

// Rollback reverts the transaction's writes and unlocks the store.
func (s *Store) Rollback(ctx context.Context) error {
	t := s.txFrom(ctx)
	if t == nil {
		return storage.ErrNoTx
	}
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.done = true
	t.undo = nil
	s.mu.Unlock()
	return nil
}

// do runs fn with the store locked: under the context's transaction if it
// has one (the lock is already held), else under the mutex with its own
// undo log, so that fn's writes are all-or-nothing either way.
func (s *Store) do(ctx context.Context, fn func(t *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t := s.txFrom(ctx); t != nil {
		mark := len(t.undo)
		if err := fn(t); err != nil {
			for i := len(t.undo) - 1; i >= mark; i-- {
				t.undo[i]()
			}
			t.undo = t.undo[:mark]
			return err
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &txn{}
	if err := fn(t); err != nil {
		for i := len(t.undo) - 1; i >= 0; i-- {
			t.undo[i]()
		}
		return err
	}
	return nil
}

// put sets m[k] = v, recording how to undo it.
func put[K comparable, V any](t *txn, m map[K]V, k K, v V) {
	old, had := m[k]
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	m[k] = v
}

// del deletes m[k], recording how to undo it.
func del[K comparable, V any](t *txn, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	t.undo = append(t.undo, func() { m[k] = old })
	delete(m, k)
}

// delWhere deletes the entries of m for which match holds, recording how
// to undo it.
func delWhere[K comparable, V any](t *txn, m map[K]V, match func(K, V) bool) {
	for k, v := range m {
		if match(k, v) {
			del(t, m, k)
		}
	}
}

func notFound(what, key string) error {
	return fmt.Errorf("memory: %s %s: %w", what, key, storage.ErrNotFound)
}

func exists(what, key string) error {
	return fmt.Errorf("memory: %s %s: %w", what, key, storage.ErrAlreadyExists)
}

func lower(s string) string { return strings.ToLower(s) }
