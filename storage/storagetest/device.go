package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleDevice(sig, userSig, clientID string) storage.DeviceAuthorization {
	return storage.DeviceAuthorization{
		DeviceCodeSignature: sig,
		UserCodeSignature:   userSig,
		RequestID:           "req-" + sig,
		ClientID:            clientID,
		Scopes:              []string{"openid", "offline_access", "im:messages.read"},
		ClientIP:            "203.0.113.7",
		UserAgent:           "TokenIM Desktop/3.2 (Windows NT 10.0)",
		Status:              storage.DevicePending,
		Interval:            5 * time.Second,
		CreatedAt:           at(0),
		ExpiresAt:           at(10 * time.Minute),
	}
}

func deviceTests() []test {
	return []test{
		{"created request reads back by either code", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			want := sampleDevice("dc1", "uc1", "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), want), "create")
			got, err := s.GetDeviceAuthorization(t.Context(), "dc1")
			must(t, err, "get")
			same(t, "by device code", got, want)
			got, err = s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1")
			must(t, err, "get by user code")
			same(t, "by user code", got, want)
		}},
		{"the named resources read back", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			want := sampleDevice("dc1", "uc1", "app")
			want.Resources = []string{"https://im.example.com", "https://search.example.com"}
			must(t, s.CreateDeviceAuthorization(t.Context(), want), "create")
			got, err := s.GetDeviceAuthorization(t.Context(), "dc1")
			must(t, err, "get")
			same(t, "with resources", got, want)
		}},
		{"the named workspace reads back", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			want := sampleDevice("dc1", "uc1", "app")
			want.WorkspaceID = "w-acme"
			must(t, s.CreateDeviceAuthorization(t.Context(), want), "create")
			got, err := s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1")
			must(t, err, "get by user code")
			same(t, "request of a workspace", got, want)
		}},
		{"unknown codes are ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.GetDeviceAuthorization(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get")
			_, err = s.GetDeviceAuthorizationByUserCode(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get by user code")
			_, err = s.UpdateDeviceAuthorization(t.Context(), "nope", func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) { return d, nil })
			mustBe(t, err, storage.ErrNotFound, "update")
		}},
		{"request of unknown client is ErrNotFound", func(t *testing.T, s storage.Store) {
			mustBe(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), storage.ErrNotFound, "create")
		}},
		{"a taken device or user code is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create")
			mustBe(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc2", "app")), storage.ErrAlreadyExists, "same device code")
			mustBe(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc2", "uc1", "app")), storage.ErrAlreadyExists, "same user code")
			_, err := s.GetDeviceAuthorization(t.Context(), "dc2")
			mustBe(t, err, storage.ErrNotFound, "the refused request")
		}},
		{"update records the decision and polls", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create")
			_, err := s.UpdateDeviceAuthorization(t.Context(), "dc1", func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
				d.Status, d.UserID, d.GrantedScopes = storage.DeviceApproved, "u1", []string{"openid", "im:messages.read"}
				d.LoginSessionID, d.AuthTime, d.AMR, d.ACR = "ls1", at(time.Minute), []string{"pwd", "otp"}, "2"
				d.DecidedAt, d.LastPolledAt, d.Interval = at(2*time.Minute), at(90*time.Second), 10*time.Second
				d.WorkspaceID = "w-beta"
				return d, nil
			})
			must(t, err, "update")
			want := sampleDevice("dc1", "uc1", "app")
			want.Status, want.UserID, want.GrantedScopes = storage.DeviceApproved, "u1", []string{"openid", "im:messages.read"}
			want.LoginSessionID, want.AuthTime, want.AMR, want.ACR = "ls1", at(time.Minute), []string{"pwd", "otp"}, "2"
			want.DecidedAt, want.LastPolledAt, want.Interval = at(2*time.Minute), at(90*time.Second), 10*time.Second
			want.WorkspaceID = "w-beta"
			got, err := s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1")
			must(t, err, "get")
			same(t, "decided request", got, want)
		}},
		{"a failed update changes nothing", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create")
			refused := errors.New("refused")
			_, err := s.UpdateDeviceAuthorization(t.Context(), "dc1", func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
				d.Status = storage.DeviceDenied
				return d, refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("update = %v, want the update's own error", err)
			}
			got, _ := s.GetDeviceAuthorization(t.Context(), "dc1")
			if got.Status != storage.DevicePending {
				t.Fatalf("status %q after a failed update, want pending", got.Status)
			}
		}},
		{"signatures cannot change", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create")
			_, err := s.UpdateDeviceAuthorization(t.Context(), "dc1", func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
				d.UserCodeSignature = "uc2"
				return d, nil
			})
			if err == nil {
				t.Fatal("changing the user code signature succeeded")
			}
			if _, err := s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1"); err != nil {
				t.Fatalf("the user code no longer finds its request: %v", err)
			}
		}},
		{"deleting the client deletes its requests", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create")
			must(t, s.DeleteClient(t.Context(), "app"), "delete client")
			_, err := s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1")
			mustBe(t, err, storage.ErrNotFound, "by user code")
			seedClient(t, s, "app")
			must(t, s.CreateDeviceAuthorization(t.Context(), sampleDevice("dc1", "uc1", "app")), "create again with the same codes")
		}},
		{"a rolled back transaction leaves no request", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			ctx, err := s.BeginTx(t.Context())
			must(t, err, "begin")
			must(t, s.CreateDeviceAuthorization(ctx, sampleDevice("dc1", "uc1", "app")), "create")
			must(t, s.Rollback(ctx), "rollback")
			_, err = s.GetDeviceAuthorizationByUserCode(t.Context(), "uc1")
			mustBe(t, err, storage.ErrNotFound, "after rollback")
		}},
	}
}
