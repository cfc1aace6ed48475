package storage

import (
	"context"
	"slices"
	"time"
)

// DeviceStatus is where a device authorization (RFC 8628) stands.
type DeviceStatus string

// Device authorization states. A request starts pending; the user approves
// or denies it on the verification page; an approved one is redeemed once
// by the device's polling.
const (
	DevicePending  DeviceStatus = "pending"
	DeviceApproved DeviceStatus = "approved"
	DeviceDenied   DeviceStatus = "denied"
	DeviceRedeemed DeviceStatus = "redeemed"
)

// DeviceAuthorization is a device authorization request (RFC 8628
// section 3.1) and what became of it. Neither code is stored: only keyed
// hashes of the device code and of the user code.
type DeviceAuthorization struct {
	// DeviceCodeSignature identifies the request; the device presents the
	// device code it was made from when polling.
	DeviceCodeSignature string
	// UserCodeSignature is unique among stored requests: the user types
	// the user code it was made from on the verification page.
	UserCodeSignature string
	// RequestID is the token family the tokens will belong to.
	RequestID string
	ClientID  string
	// Scopes are the requested scopes.
	Scopes []string
	// Resources are the resources (RFC 8707) the request named: the
	// device's tokens are for them.
	Resources []string
	// WorkspaceID is the workspace the request is for: the one its
	// organization parameter named, else, once approved, the one the user
	// picked (or their only one). Empty for a request that named none
	// while it is pending.
	WorkspaceID string
	// ClientIP and UserAgent describe the device that asked, for the user
	// to recognise it.
	ClientIP  string
	UserAgent string
	Status    DeviceStatus
	// Interval is the least time between two polls; it grows when the
	// device polls too fast (RFC 8628 section 3.5, slow_down).
	Interval time.Duration
	// LastPolledAt is the time of the last poll; zero before the first.
	LastPolledAt time.Time
	// UserID, GrantedScopes and the sign-in that decided (its login
	// session, time, methods and level) are set by the user's decision.
	// AMR is the amr the device's tokens carry: the session's methods,
	// then those its upstream named (provider/session.TokenAMR); ACR is
	// the level of the session's own methods alone.
	UserID         string
	GrantedScopes  []string
	LoginSessionID string
	AuthTime       time.Time
	AMR            []string
	ACR            string
	DecidedAt      time.Time
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// Clone returns a deep copy of d.
func (d DeviceAuthorization) Clone() DeviceAuthorization {
	d.Scopes = slices.Clone(d.Scopes)
	d.Resources = slices.Clone(d.Resources)
	d.GrantedScopes = slices.Clone(d.GrantedScopes)
	d.AMR = slices.Clone(d.AMR)
	return d
}

// DeviceAuthorizations stores device authorization requests.
type DeviceAuthorizations interface {
	// CreateDeviceAuthorization stores d. ErrAlreadyExists if its device
	// code or its user code signature is taken (by a request expired or
	// not); ErrNotFound if the client does not exist.
	CreateDeviceAuthorization(ctx context.Context, d DeviceAuthorization) error
	// GetDeviceAuthorization returns the request, expired or not.
	// ErrNotFound if absent.
	GetDeviceAuthorization(ctx context.Context, deviceCodeSignature string) (DeviceAuthorization, error)
	// GetDeviceAuthorizationByUserCode returns the request whose user code
	// signature is userCodeSignature, expired or not. ErrNotFound if absent.
	GetDeviceAuthorizationByUserCode(ctx context.Context, userCodeSignature string) (DeviceAuthorization, error)
	// UpdateDeviceAuthorization reads, updates and stores the request
	// atomically (see Clients.UpdateClient): of concurrent updates each
	// sees the one before it. The signatures cannot change. ErrNotFound if
	// absent.
	UpdateDeviceAuthorization(ctx context.Context, deviceCodeSignature string, update func(DeviceAuthorization) (DeviceAuthorization, error)) (DeviceAuthorization, error)
}
