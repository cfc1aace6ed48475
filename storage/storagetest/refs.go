package storagetest

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// refTests check that errors, which end in log lines, name a token, a
// login session or a device authorization by storage.Ref of its key, never
// by the key: a signature is half of a token, a session ID the hash of a
// cookie.
func refTests() []test {
	const key = "k3y-0f-a-s3cr3t-rec0rd-Zq9xW2vB7nM4"
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("%s: the error holds the key: %v", what, err)
		}
	}
	named := func(t *testing.T, what string, err error) {
		t.Helper()
		check(t, what, err)
		if err != nil && !strings.Contains(err.Error(), storage.Ref(key)) {
			t.Errorf("%s: the error does not name the record by its reference %s: %v", what, storage.Ref(key), err)
		}
	}
	return []test{
		{"a token's errors name it by reference", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			_, err := s.GetToken(ctx, storage.KindAccessToken, key)
			named(t, "get", err)
			named(t, "delete", s.DeleteToken(ctx, storage.KindRefreshToken, key))
			named(t, "deactivate", s.DeactivateToken(ctx, storage.KindAuthorizeCode, key))
			named(t, "rotate", errOf(s.RotateRefreshToken(ctx, "family", key, time.Now(), 0)))
		}},
		{"a login session's errors name it by reference", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			_, err := s.GetLoginSession(ctx, key)
			named(t, "get", err)
			named(t, "delete", s.DeleteLoginSession(ctx, key))
		}},
		{"a device authorization's errors never hold its signatures", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			_, err := s.GetDeviceAuthorization(ctx, key)
			check(t, "get", err)
			_, err = s.GetDeviceAuthorizationByUserCode(ctx, key)
			check(t, "get by user code", err)
		}},
	}
}
