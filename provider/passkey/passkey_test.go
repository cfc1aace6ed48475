package passkey_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/passkey/passkeytest"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const origin = "https://id.example.com"

type fixture struct {
	c     *passkey.Ceremonies
	store *memory.Store
	now   time.Time
	ann   storage.User
	bob   storage.User
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	f.c, err = passkey.New(passkey.Config{RPID: "id.example.com", Origins: []string{origin}, Store: f.store, Sealer: sealer,
		Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []storage.User{
		{ID: "u-ann", Email: "ann@example.com", Status: storage.UserActive, CreatedAt: f.now},
		{ID: "u-bob", Email: "bob@example.com", Status: storage.UserActive, CreatedAt: f.now},
	} {
		if err := f.store.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	f.ann, _ = f.store.GetUser(context.Background(), "u-ann")
	f.bob, _ = f.store.GetUser(context.Background(), "u-bob")
	return f
}

// register adds a passkey made by a to u's account.
func (f *fixture) register(t *testing.T, a *passkeytest.Authenticator, u storage.User, name string) *passkeytest.Credential {
	t.Helper()
	opts, err := f.c.BeginRegistration(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	resp, cred := a.Create(t, opts.PublicKey)
	p, err := f.c.FinishRegistration(t.Context(), u, opts.State, resp, name)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if p.Name != name || p.UserID != u.ID || !slices.Equal(p.ID, cred.ID) {
		t.Fatalf("registered %+v", p)
	}
	return cred
}

// signIn runs a sign-in ceremony, discoverable when u is nil.
func (f *fixture) signIn(t *testing.T, a *passkeytest.Authenticator, u *storage.User, cred *passkeytest.Credential) (passkey.SignIn, error) {
	t.Helper()
	opts, err := f.c.BeginLogin(t.Context(), u, false)
	if err != nil {
		t.Fatal(err)
	}
	return f.c.FinishLogin(t.Context(), u, opts.State, a.Get(t, opts.PublicKey, cred))
}

func TestRegisterAndSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	phone := &passkeytest.Authenticator{Origin: origin, Verify: true, Synced: true}
	cred := f.register(t, phone, f.ann, "Phone")
	stored, err := f.store.ListPasskeys(t.Context(), f.ann.ID)
	if err != nil || len(stored) != 1 || !stored[0].UserVerified || !stored[0].BackupEligible || !stored[0].LastUsedAt.IsZero() ||
		stored[0].AttestationType != "none" || !slices.Equal(stored[0].Transports, []string{"internal"}) {
		t.Fatalf("stored passkeys %+v, %v", stored, err)
	}

	f.now = f.now.Add(time.Minute)
	in, err := f.signIn(t, phone, nil, cred)
	if err != nil {
		t.Fatalf("discoverable sign-in: %v", err)
	}
	if in.User.ID != f.ann.ID || !slices.Equal(in.Methods, []string{"swk", "user", "pin"}) {
		t.Fatalf("signed in %s with %q", in.User.ID, in.Methods)
	}
	if in.Passkey.SignCount != 1 || !in.Passkey.LastUsedAt.Equal(f.now) {
		t.Fatalf("use not recorded: %+v", in.Passkey)
	}

	// As the second step, for the known user.
	in, err = f.signIn(t, phone, &f.ann, cred)
	if err != nil || in.User.ID != f.ann.ID || in.Passkey.SignCount != 2 {
		t.Fatalf("second-step sign-in: %+v, %v", in, err)
	}
}

func TestSecurityKeyWithoutVerification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key := &passkeytest.Authenticator{Origin: origin}
	cred := f.register(t, key, f.ann, "Security key")
	in, err := f.signIn(t, key, nil, cred)
	if err != nil || !slices.Equal(in.Methods, []string{"hwk", "user"}) {
		t.Fatalf("sign-in %q, %v", in.Methods, err)
	}
}

func TestAnAnswerCountsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	cred := f.register(t, a, f.ann, "Laptop")
	opts, err := f.c.BeginLogin(t.Context(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	resp := a.Get(t, opts.PublicKey, cred)
	if _, err := f.c.FinishLogin(t.Context(), nil, opts.State, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.FinishLogin(t.Context(), nil, opts.State, resp); !errors.Is(err, passkey.ErrCeremony) {
		t.Fatalf("a replayed answer: %v, want ErrCeremony", err)
	}
}

func TestClonedAuthenticatorRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	cred := f.register(t, a, f.ann, "Key")
	for range 3 {
		if _, err := f.signIn(t, a, nil, cred); err != nil {
			t.Fatal(err)
		}
	}
	// A copy of the key that signed once: its counter is behind.
	cred.Count = 1
	in, err := f.signIn(t, a, nil, cred)
	if !errors.Is(err, passkey.ErrCloned) || in.User.ID != f.ann.ID || in.Passkey.Name != "Key" {
		t.Fatalf("cloned authenticator: %+v, %v", in, err)
	}
	if p, _ := f.store.GetPasskey(t.Context(), cred.ID); p.SignCount != 3 {
		t.Fatalf("counter after the refused sign-in: %d, want 3", p.SignCount)
	}
}

func TestWrongOriginRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	cred := f.register(t, a, f.ann, "Phone")
	phishing := &passkeytest.Authenticator{Origin: "https://id.example.com.evil.test", Verify: true}
	if _, err := f.signIn(t, phishing, nil, cred); !errors.Is(err, passkey.ErrWrongOrigin) {
		t.Fatalf("sign-in from another origin: %v, want ErrWrongOrigin", err)
	}
	opts, err := f.c.BeginRegistration(t.Context(), f.bob)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := phishing.Create(t, opts.PublicKey)
	if _, err := f.c.FinishRegistration(t.Context(), f.bob, opts.State, resp, "x"); !errors.Is(err, passkey.ErrWrongOrigin) {
		t.Fatalf("registration from another origin: %v, want ErrWrongOrigin", err)
	}
}

func TestStateIsBoundToItsCeremony(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	annKey := f.register(t, a, f.ann, "Ann's")
	f.register(t, a, f.bob, "Bob's")
	ctx := t.Context()

	// Ann's registration state does not add a passkey to Bob's account.
	opts, _ := f.c.BeginRegistration(ctx, f.ann)
	resp, _ := a.Create(t, opts.PublicKey)
	if _, err := f.c.FinishRegistration(ctx, f.bob, opts.State, resp, "x"); !errors.Is(err, passkey.ErrCeremony) {
		t.Fatalf("another user's registration state: %v", err)
	}
	// A second step started for Bob does not accept Ann's passkey.
	opts, _ = f.c.BeginLogin(ctx, &f.bob, false)
	if _, err := f.c.FinishLogin(ctx, &f.bob, opts.State, a.Get(t, opts.PublicKey, annKey)); !errors.Is(err, passkey.ErrRefused) {
		t.Fatalf("Ann's passkey at Bob's second step: %v, want ErrRefused", err)
	}
	// Nor is a discoverable sign-in's state one for Ann's second step.
	opts, _ = f.c.BeginLogin(ctx, nil, false)
	if _, err := f.c.FinishLogin(ctx, &f.ann, opts.State, a.Get(t, opts.PublicKey, annKey)); !errors.Is(err, passkey.ErrCeremony) {
		t.Fatalf("a sign-in state used for a second step: %v", err)
	}
	// A state whose time is up.
	opts, _ = f.c.BeginLogin(ctx, nil, false)
	f.now = f.now.Add(6 * time.Minute)
	if _, err := f.c.FinishLogin(ctx, nil, opts.State, a.Get(t, opts.PublicKey, annKey)); !errors.Is(err, passkey.ErrCeremony) {
		t.Fatalf("an expired state: %v", err)
	}
	for _, bad := range []string{"", "not base64!", "AAAA", string(make([]byte, 9000))} {
		if _, err := f.c.FinishLogin(ctx, nil, bad, []byte("{}")); !errors.Is(err, passkey.ErrCeremony) {
			t.Fatalf("state %q: %v", bad[:min(len(bad), 12)], err)
		}
	}
}

func TestUnknownPasskey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	cred := f.register(t, a, f.ann, "Phone")
	if err := f.store.DeletePasskey(t.Context(), f.ann.ID, cred.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(t, a, nil, cred); !errors.Is(err, passkey.ErrUnknown) {
		t.Fatalf("a removed passkey: %v, want ErrUnknown", err)
	}
	// A passkey whose user handle names another account.
	cred2 := f.register(t, a, f.ann, "Laptop")
	cred2.UserHandle = []byte(f.bob.ID)
	if _, err := f.signIn(t, a, nil, cred2); !errors.Is(err, passkey.ErrUnknown) {
		t.Fatalf("a user handle of another account: %v, want ErrUnknown", err)
	}
	if _, err := f.c.BeginLogin(t.Context(), &f.bob, false); !errors.Is(err, passkey.ErrUnknown) {
		t.Fatalf("second step for an account without passkeys: %v", err)
	}
}

func TestRegisteringTwiceRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := &passkeytest.Authenticator{Origin: origin, Verify: true}
	f.register(t, a, f.ann, "Phone")
	list, _ := f.store.ListPasskeys(t.Context(), f.ann.ID)
	// The options exclude the passkeys the account has.
	opts, err := f.c.BeginRegistration(t.Context(), f.ann)
	if err != nil {
		t.Fatal(err)
	}
	if !containsExcluded(t, opts.PublicKey, list[0].ID) {
		t.Fatal("registration options do not exclude the account's passkey")
	}
	// An authenticator that answers with a credential ID taken already.
	resp, _ := a.Create(t, opts.PublicKey)
	if err := f.store.CreatePasskey(context.Background(), storage.Passkey{ID: credID(t, resp), UserID: f.bob.ID, Name: "x", PublicKey: []byte{1}, CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.FinishRegistration(t.Context(), f.ann, opts.State, resp, "Again"); !errors.Is(err, passkey.ErrExists) {
		t.Fatalf("a credential ID registered already: %v, want ErrExists", err)
	}
}

func TestRef(t *testing.T) {
	t.Parallel()
	for _, id := range [][]byte{{0}, {0xfb, 0xff, 0x01}, []byte("a credential"), make([]byte, 1023)} {
		got, err := passkey.ParseRef(passkey.Ref(id))
		if err != nil || !slices.Equal(got, id) {
			t.Errorf("the reference of %d bytes does not read back: %v", len(id), err)
		}
	}
	// Only Ref's own spelling: no padding, no standard alphabet, no line
	// break or unused bits, nothing longer than the longest ID.
	for _, ref := range []string{"", "AA==", "A", "AB", "a+b/", "QUJD\n", "a b", passkey.Ref(make([]byte, 1024))} {
		if _, err := passkey.ParseRef(ref); err == nil {
			t.Errorf("ParseRef accepts %q", ref[:min(len(ref), 12)])
		}
	}
}
