package memory

import (
	"context"
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateDeviceAuthorization implements storage.DeviceAuthorizations.
func (s *Store) CreateDeviceAuthorization(ctx context.Context, d storage.DeviceAuthorization) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.devices[d.DeviceCodeSignature]; ok {
			return exists("create device authorization ref", storage.Ref(d.DeviceCodeSignature))
		}
		if _, ok := s.userCodes[d.UserCodeSignature]; ok {
			return exists("create device authorization with user code ref", storage.Ref(d.UserCodeSignature))
		}
		if _, ok := s.clients[d.ClientID]; !ok {
			return notFound("create device authorization for client", d.ClientID)
		}
		put(t, s.devices, d.DeviceCodeSignature, d.Clone())
		put(t, s.userCodes, d.UserCodeSignature, d.DeviceCodeSignature)
		return nil
	})
}

// GetDeviceAuthorization implements storage.DeviceAuthorizations.
func (s *Store) GetDeviceAuthorization(ctx context.Context, deviceCodeSignature string) (storage.DeviceAuthorization, error) {
	var d storage.DeviceAuthorization
	err := s.do(ctx, func(*txn) error {
		got, ok := s.devices[deviceCodeSignature]
		if !ok {
			return notFound("get device authorization ref", storage.Ref(deviceCodeSignature))
		}
		d = got.Clone()
		return nil
	})
	return d, err
}

// GetDeviceAuthorizationByUserCode implements storage.DeviceAuthorizations.
func (s *Store) GetDeviceAuthorizationByUserCode(ctx context.Context, userCodeSignature string) (storage.DeviceAuthorization, error) {
	var d storage.DeviceAuthorization
	err := s.do(ctx, func(*txn) error {
		got, ok := s.devices[s.userCodes[userCodeSignature]]
		if !ok {
			return notFound("get device authorization by user code ref", storage.Ref(userCodeSignature))
		}
		d = got.Clone()
		return nil
	})
	return d, err
}

// UpdateDeviceAuthorization implements storage.DeviceAuthorizations.
func (s *Store) UpdateDeviceAuthorization(ctx context.Context, deviceCodeSignature string, update func(storage.DeviceAuthorization) (storage.DeviceAuthorization, error)) (storage.DeviceAuthorization, error) {
	var d storage.DeviceAuthorization
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.devices[deviceCodeSignature]
		if !ok {
			return notFound("update device authorization ref", storage.Ref(deviceCodeSignature))
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.DeviceCodeSignature != old.DeviceCodeSignature || next.UserCodeSignature != old.UserCodeSignature {
			return fmt.Errorf("memory: update device authorization ref %s: the signatures cannot change", storage.Ref(deviceCodeSignature))
		}
		put(t, s.devices, deviceCodeSignature, next.Clone())
		d = next.Clone()
		return nil
	})
	return d, err
}

// deleteDevice deletes a device request and its user code.
func (s *Store) deleteDevice(t *txn, deviceCodeSignature string) {
	del(t, s.userCodes, s.devices[deviceCodeSignature].UserCodeSignature)
	del(t, s.devices, deviceCodeSignature)
}
