package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func passkey(id, userID string, created time.Duration) storage.Passkey {
	return storage.Passkey{
		ID: []byte(id), UserID: userID, Name: "Work laptop",
		PublicKey: []byte{0xa5, 0x01, 0x02, 0x03, 0x26}, AttestationType: "none",
		AAGUID: make([]byte, 16), SignCount: 7, Transports: []string{"internal", "hybrid"},
		UserVerified: true, BackupEligible: true, BackupState: true, CreatedAt: at(created),
	}
}

func passkeyTests() []test {
	return []test{
		{"a passkey is stored whole and listed with its account's others, oldest first", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			newer, older := passkey("\x00cred-b\xff", "u1", time.Hour), passkey("cred-a", "u1", 0)
			older.SignCount, older.Transports, older.BackupEligible, older.BackupState = 0, nil, false, false
			for _, p := range []storage.Passkey{newer, older, passkey("cred-c", "u2", 0)} {
				must(t, s.CreatePasskey(t.Context(), p), "create "+string(p.ID))
			}
			got, err := s.GetPasskey(t.Context(), newer.ID)
			must(t, err, "get")
			same(t, "passkey", got, newer)
			list, err := s.ListPasskeys(t.Context(), "u1")
			must(t, err, "list")
			same(t, "u1's passkeys", list, []storage.Passkey{older, newer})
			none, err := s.ListPasskeys(t.Context(), "u3")
			must(t, err, "list of an account without passkeys")
			same(t, "no passkeys", none, []storage.Passkey(nil))
		}},
		{"what a caller does to a passkey it was given does not change the stored one", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := passkey("cred-a", "u1", 0)
			p := want.Clone()
			must(t, s.CreatePasskey(t.Context(), p), "create")
			p.PublicKey[0], p.Transports[0] = 0, "usb"
			got, err := s.GetPasskey(t.Context(), want.ID)
			must(t, err, "get")
			got.AAGUID[0], got.Transports[1] = 9, "nfc"
			again, err := s.GetPasskey(t.Context(), want.ID)
			must(t, err, "get again")
			same(t, "passkey", again, want)
		}},
		{"a credential ID is registered once across accounts; an unknown account's is ErrNotFound", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			must(t, s.CreatePasskey(t.Context(), passkey("cred-a", "u1", 0)), "create")
			mustBe(t, s.CreatePasskey(t.Context(), passkey("cred-a", "u2", 0)), storage.ErrAlreadyExists, "the same ID for another account")
			mustBe(t, s.CreatePasskey(t.Context(), passkey("cred-b", "ghost", 0)), storage.ErrNotFound, "unknown account")
			_, err := s.GetPasskey(t.Context(), []byte("cred-b"))
			mustBe(t, err, storage.ErrNotFound, "get unknown")
		}},
		{"a sign-in's counter, flags and time are stored; a refused update changes nothing", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := passkey("cred-a", "u1", 0)
			must(t, s.CreatePasskey(t.Context(), want), "create")
			got, err := s.UpdatePasskey(t.Context(), want.ID, func(p storage.Passkey) (storage.Passkey, error) {
				p.SignCount, p.BackupState, p.UserVerified, p.LastUsedAt = 8, false, false, at(time.Minute)
				return p, nil
			})
			must(t, err, "update")
			want.SignCount, want.BackupState, want.UserVerified, want.LastUsedAt = 8, false, false, at(time.Minute)
			same(t, "updated passkey", got, want)
			errCloned := errors.New("the counter went back")
			_, err = s.UpdatePasskey(t.Context(), want.ID, func(p storage.Passkey) (storage.Passkey, error) {
				p.SignCount = 1
				return p, errCloned
			})
			mustBe(t, err, errCloned, "update refused by its function")
			_, err = s.UpdatePasskey(t.Context(), want.ID, func(p storage.Passkey) (storage.Passkey, error) {
				p.UserID = "u2"
				return p, nil
			})
			if err == nil {
				t.Fatal("an update moving the passkey to another account was accepted")
			}
			stored, err := s.GetPasskey(t.Context(), want.ID)
			must(t, err, "get")
			same(t, "passkey after refused updates", stored, want)
			_, err = s.UpdatePasskey(t.Context(), []byte("nope"), func(p storage.Passkey) (storage.Passkey, error) { return p, nil })
			mustBe(t, err, storage.ErrNotFound, "update unknown")
		}},
		{"an account deletes its own passkey, never another account's", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			must(t, s.CreatePasskey(t.Context(), passkey("cred-a", "u1", 0)), "create")
			mustBe(t, s.DeletePasskey(t.Context(), "u2", []byte("cred-a")), storage.ErrNotFound, "delete by another account")
			_, err := s.GetPasskey(t.Context(), []byte("cred-a"))
			must(t, err, "get after another account's delete")
			must(t, s.DeletePasskey(t.Context(), "u1", []byte("cred-a")), "delete")
			_, err = s.GetPasskey(t.Context(), []byte("cred-a"))
			mustBe(t, err, storage.ErrNotFound, "get after delete")
			mustBe(t, s.DeletePasskey(t.Context(), "u1", []byte("cred-a")), storage.ErrNotFound, "second delete")
		}},
		{"a passkey created in a transaction rolled back is gone", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			ctx, err := s.BeginTx(t.Context())
			must(t, err, "begin")
			must(t, s.CreatePasskey(ctx, passkey("cred-a", "u1", 0)), "create in tx")
			must(t, s.Rollback(ctx), "rollback")
			_, err = s.GetPasskey(t.Context(), []byte("cred-a"))
			mustBe(t, err, storage.ErrNotFound, "get after rollback")
		}},
	}
}
