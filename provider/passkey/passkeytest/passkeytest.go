// Package passkeytest is a software WebAuthn authenticator for tests: it
// answers the provider's registration and sign-in options the way a
// browser and a platform authenticator would (a P-256 key per credential,
// "none" attestation), so that handler tests can register and sign in
// with passkeys without a browser. The end-to-end tests use Chromium's
// virtual authenticator instead.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator answers ceremonies for the pages of Origin.
type Authenticator struct {
	// Origin is the origin the "browser" says the page was on.
	Origin string
	// Verify sets the UV flag (the authenticator verified its user);
	// Synced the BE and BS flags (a passkey synced across devices).
	Verify, Synced bool
}

// Credential is a passkey the authenticator made.
type Credential struct {
	ID         []byte
	UserHandle []byte
	RPID       string
	// Count is the signature counter the next answer carries before it
	// is increased; set it back to play a cloned authenticator.
	Count uint32
	key   *ecdsa.PrivateKey
}

var b64 = base64.RawURLEncoding

// options is the part of the creation or request options the
// authenticator reads.
type options struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

func read(t testing.TB, publicKey any) options {
	t.Helper()
	b, err := json.Marshal(publicKey)
	if err != nil {
		t.Fatalf("passkeytest: options: %v", err)
	}
	var o options
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("passkeytest: options %s: %v", b, err)
	}
	return o
}

func (a *Authenticator) flags(attested bool) byte {
	f := byte(0x01) // UP
	if a.Verify {
		f |= 0x04
	}
	if a.Synced {
		f |= 0x08 | 0x10
	}
	if attested {
		f |= 0x40
	}
	return f
}

func clientData(t testing.TB, typ, challenge, origin string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Create answers registration options (Options.PublicKey) with a new
// credential: the PublicKeyCredential as the page would send it.
func (a *Authenticator) Create(t testing.TB, publicKey any) ([]byte, *Credential) {
	t.Helper()
	o := read(t, publicKey)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	handle, err := b64.DecodeString(o.User.ID)
	if err != nil {
		t.Fatalf("passkeytest: user.id %q: %v", o.User.ID, err)
	}
	c := &Credential{ID: id, UserHandle: handle, RPID: o.RP.ID, key: key}
	point, err := key.PublicKey.Bytes() // 0x04, X, Y (SEC 1 uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	x, y := point[1:33], point[33:]
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		t.Fatal(err)
	}
	rpHash := sha256.Sum256([]byte(c.RPID))
	auth := append(rpHash[:], a.flags(true))
	auth = binary.BigEndian.AppendUint32(auth, c.Count)
	auth = append(auth, make([]byte, 16)...) // AAGUID: none
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(id)))
	auth = append(auth, id...)
	auth = append(auth, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData(t, "webauthn.create", o.Challenge, a.Origin)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp, c
}

// Get answers sign-in options (Options.PublicKey) with credential c,
// whose counter then goes up by one.
func (a *Authenticator) Get(t testing.TB, publicKey any, c *Credential) []byte {
	t.Helper()
	o := read(t, publicKey)
	rpID := o.RPID
	if rpID == "" {
		rpID = c.RPID
	}
	c.Count++
	rpHash := sha256.Sum256([]byte(rpID))
	auth := append(rpHash[:], a.flags(false))
	auth = binary.BigEndian.AppendUint32(auth, c.Count)
	cd := clientData(t, "webauthn.get", o.Challenge, a.Origin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.UserHandle),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
