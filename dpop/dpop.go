// Package dpop checks DPoP proofs (RFC 9449): the JWT a client sends in
// the DPoP header to show it holds the private key its tokens are bound
// to. The token endpoint uses it before issuing tokens carrying cnf.jkt,
// and the resource server before accepting a DPoP-bound access token.
package dpop

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// MaxProofSize bounds a DPoP header's length; a longer proof is refused
// before it is parsed. A proof with an RSA-4096 key is under 2 KiB.
const MaxProofSize = 8 << 10

// maxJTILength bounds a proof's jti. RFC 9449 section 4.2 asks for at
// least 96 bits of randomness; 256 characters leaves room for any encoding.
const maxJTILength = 256

// minRSABits is the smallest RSA modulus accepted in a proof's jwk.
const minRSABits = 2048

// Default time bounds for a proof's iat (RFC 9449 section 11.1 leaves them
// to the server, asking for a short window to limit pre-generated proofs).
const (
	// DefaultWindow is how old a proof may be: a proof is used once, right
	// after it is made, so minutes cover a slow network and clock drift.
	DefaultWindow = 5 * time.Minute
	// DefaultSkew is how far in the future a proof's iat may be, for a
	// client whose clock runs ahead of ours.
	DefaultSkew = time.Minute
)

// Typ is the JOSE typ header every DPoP proof carries.
const Typ = "dpop+jwt"

// DefaultAlgs are the signature algorithms accepted when Config.Algs is
// empty; they are also what discovery's dpop_signing_alg_values_supported
// should list.
var DefaultAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.EdDSA, jose.RS256, jose.PS256}

// asymmetric are the algorithms a Config may allow: public-key signatures
// only, never HS* (a shared secret proves nothing about a key pair) nor none.
var asymmetric = map[jose.SignatureAlgorithm]bool{
	jose.RS256: true, jose.RS384: true, jose.RS512: true,
	jose.PS256: true, jose.PS384: true, jose.PS512: true,
	jose.ES256: true, jose.ES384: true, jose.ES512: true,
	jose.EdDSA: true,
}

var (
	// ErrInvalidProof means the proof is missing, malformed or does not
	// match the request; the caller answers invalid_dpop_proof. It is
	// wrapped with what was wrong.
	ErrInvalidProof = errors.New("invalid DPoP proof")
	// ErrUseNonce means the proof lacks a current server nonce; the caller
	// answers use_dpop_nonce with Nonces.Current in the DPoP-Nonce header.
	ErrUseNonce = errors.New("DPoP proof needs a current nonce")
	// ErrReplayStore means the replay store failed; it is the server's
	// fault, not the client's, and the cause is wrapped.
	ErrReplayStore = errors.New("DPoP replay store")
)

// Proof is a verified DPoP proof.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of Key, base64url without
	// padding: the value tokens carry in cnf.jkt.
	JKT string
	// Key is the public key from the proof's jwk header.
	Key *jose.JSONWebKey
	// JTI is the proof's unique identifier.
	JTI string
	// IAT is when the client made the proof.
	IAT time.Time
	// HTM, HTU, ATH and Nonce are the proof's claims as sent.
	HTM, HTU, ATH, Nonce string
}

// Replays remembers the proofs already used, shared by every node.
type Replays interface {
	// Use records key until until and reports whether it was new; false
	// means the same key was recorded before and has not expired.
	Use(ctx context.Context, key string, until time.Time) (first bool, err error)
}

// Nonces makes and checks server-provided DPoP nonces (RFC 9449 section 8).
type Nonces interface {
	// Valid reports whether nonce is acceptable at now.
	Valid(nonce string, now time.Time) bool
	// Current is the nonce to send in DPoP-Nonce at now.
	Current(now time.Time) string
}

// Config configures a Verifier.
type Config struct {
	// Algs are the accepted signature algorithms; empty means DefaultAlgs.
	// Only asymmetric algorithms are allowed.
	Algs []jose.SignatureAlgorithm
	// Window is how old a proof's iat may be (DefaultWindow when zero). A
	// proof's jti is remembered until iat + Window.
	Window time.Duration
	// Skew is how far ahead of Now a proof's iat may be (DefaultSkew when
	// zero).
	Skew time.Duration
	// Replays records every accepted proof's jti; required.
	Replays Replays
	// Nonces, when set, makes a valid server nonce required in every
	// proof; nil means nonces are not used.
	Nonces Nonces
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Verifier checks DPoP proofs. It is safe for concurrent use.
type Verifier struct {
	algs    []jose.SignatureAlgorithm
	window  time.Duration
	skew    time.Duration
	replays Replays
	nonces  Nonces
	now     func() time.Time
}

// New checks cfg and returns a Verifier.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{
		algs:    cfg.Algs,
		window:  cfg.Window,
		skew:    cfg.Skew,
		replays: cfg.Replays,
		nonces:  cfg.Nonces,
		now:     cfg.Now,
	}
	if len(v.algs) == 0 {
		v.algs = DefaultAlgs
	}
	if err := CheckAlgs(v.algs); err != nil {
		return nil, err
	}
	v.algs = append([]jose.SignatureAlgorithm(nil), v.algs...)
	if v.window < 0 || v.skew < 0 {
		return nil, errors.New("dpop: window and skew must not be negative")
	}
	if v.window == 0 {
		v.window = DefaultWindow
	}
	if v.skew == 0 {
		v.skew = DefaultSkew
	}
	if v.replays == nil {
		return nil, errors.New("dpop: a replay store is required")
	}
	if h, ok := v.nonces.(*HMACNonces); ok {
		if err := h.check(); err != nil {
			return nil, err
		}
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Algs are the signature algorithms the Verifier accepts, for discovery's
// dpop_signing_alg_values_supported.
func (v *Verifier) Algs() []string {
	out := make([]string, len(v.algs))
	for i, a := range v.algs {
		out[i] = string(a)
	}
	return out
}

// claims are a proof's payload (RFC 9449 section 4.2).
type claims struct {
	JTI   string           `json:"jti"`
	HTM   string           `json:"htm"`
	HTU   string           `json:"htu"`
	IAT   *jwt.NumericDate `json:"iat"`
	ATH   string           `json:"ath"`
	Nonce string           `json:"nonce"`
}

// Verify checks the DPoP proof sent with a request (RFC 9449 section 4.3):
// proof is the single DPoP header's value (the caller refuses a request
// with several), method and url are the request's method and absolute
// URL, and accessToken is the access token presented with it ("" at the
// token endpoint). A proof is accepted once: its jti is recorded in the
// replay store under ReplayKey. Errors are ErrInvalidProof, ErrUseNonce
// or ErrReplayStore, wrapped; a bad url is an error of the caller's.
func (v *Verifier) Verify(ctx context.Context, proof, method, url, accessToken string) (Proof, error) {
	want, err := normalizeHTU(url)
	if err != nil {
		return Proof{}, fmt.Errorf("dpop: request url: %w", err)
	}
	if proof == "" {
		return Proof{}, fmt.Errorf("%w: no proof", ErrInvalidProof)
	}
	if len(proof) > MaxProofSize {
		return Proof{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidProof, MaxProofSize)
	}
	jws, err := jose.ParseSignedCompact(proof, v.algs)
	if err != nil {
		return Proof{}, fmt.Errorf("%w: not a compact JWS with an accepted algorithm: %w", ErrInvalidProof, err)
	}
	if len(jws.Signatures) != 1 {
		return Proof{}, fmt.Errorf("%w: not exactly one signature", ErrInvalidProof)
	}
	hdr := jws.Signatures[0].Protected
	if typ, _ := hdr.ExtraHeaders[jose.HeaderType].(string); typ != Typ {
		return Proof{}, fmt.Errorf("%w: typ is not %s", ErrInvalidProof, Typ)
	}
	key := hdr.JSONWebKey
	if key == nil {
		return Proof{}, fmt.Errorf("%w: no jwk header", ErrInvalidProof)
	}
	if !key.IsPublic() || !key.Valid() {
		return Proof{}, fmt.Errorf("%w: jwk is not a public key", ErrInvalidProof)
	}
	if k, ok := key.Key.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
		return Proof{}, fmt.Errorf("%w: RSA key shorter than %d bits", ErrInvalidProof, minRSABits)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return Proof{}, fmt.Errorf("%w: signature does not verify with the jwk: %w", ErrInvalidProof, err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Proof{}, fmt.Errorf("%w: claims are not a JSON object of the expected types", ErrInvalidProof)
	}
	if c.JTI == "" {
		return Proof{}, fmt.Errorf("%w: no jti", ErrInvalidProof)
	}
	if len(c.JTI) > maxJTILength {
		return Proof{}, fmt.Errorf("%w: jti longer than %d bytes", ErrInvalidProof, maxJTILength)
	}
	if c.HTM != method {
		return Proof{}, fmt.Errorf("%w: htm does not match the request method", ErrInvalidProof)
	}
	got, err := normalizeHTU(c.HTU)
	if err != nil || got != want {
		return Proof{}, fmt.Errorf("%w: htu does not match the request URL", ErrInvalidProof)
	}
	if c.IAT == nil {
		return Proof{}, fmt.Errorf("%w: no iat", ErrInvalidProof)
	}
	now, iat := v.now(), c.IAT.Time()
	if iat.Before(now.Add(-v.window)) {
		return Proof{}, fmt.Errorf("%w: iat older than %s", ErrInvalidProof, v.window)
	}
	if iat.After(now.Add(v.skew)) {
		return Proof{}, fmt.Errorf("%w: iat more than %s in the future", ErrInvalidProof, v.skew)
	}
	if accessToken != "" {
		if c.ATH == "" {
			return Proof{}, fmt.Errorf("%w: no ath for the access token", ErrInvalidProof)
		}
		if subtle.ConstantTimeCompare([]byte(c.ATH), []byte(AccessTokenHash(accessToken))) != 1 {
			return Proof{}, fmt.Errorf("%w: ath does not match the access token", ErrInvalidProof)
		}
	}
	if v.nonces != nil {
		if c.Nonce == "" {
			return Proof{}, fmt.Errorf("%w: no nonce", ErrUseNonce)
		}
		if !v.nonces.Valid(c.Nonce, now) {
			return Proof{}, fmt.Errorf("%w: nonce is not current", ErrUseNonce)
		}
	}
	jkt, err := Thumbprint(key)
	if err != nil {
		return Proof{}, fmt.Errorf("%w: %w", ErrInvalidProof, err)
	}
	first, err := v.replays.Use(ctx, ReplayKey(jkt, c.JTI), iat.Add(v.window))
	if err != nil {
		return Proof{}, fmt.Errorf("%w: %w", ErrReplayStore, err)
	}
	if !first {
		return Proof{}, fmt.Errorf("%w: jti already used", ErrInvalidProof)
	}
	return Proof{
		JKT:   jkt,
		Key:   key,
		JTI:   c.JTI,
		IAT:   iat,
		HTM:   c.HTM,
		HTU:   c.HTU,
		ATH:   c.ATH,
		Nonce: c.Nonce,
	}, nil
}

// Refusal is what a client is told of a proof Verify refused with
// ErrInvalidProof: "The DPoP proof is not valid: " and what was wrong.
// The token endpoint and a resource server say it alike.
func Refusal(err error) string {
	return "The DPoP proof is not valid: " + strings.TrimPrefix(err.Error(), ErrInvalidProof.Error()+": ") + "."
}

// ReplayKey is the replay store key for a proof: "dpop:" followed by the
// key's thumbprint and the SHA-256 of the jti (base64url), so the key has
// a fixed length whatever the client sent and one client's jti values
// never collide with another's.
func ReplayKey(jkt, jti string) string {
	sum := sha256.Sum256([]byte(jti))
	return "dpop:" + jkt + ":" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// AccessTokenHash is a proof's ath for accessToken: the base64url SHA-256
// of its ASCII form (RFC 9449 section 4.2).
func AccessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of k's public key,
// base64url without padding: the cnf.jkt of tokens bound to k (RFC 9449
// section 6). A private key gives its public key's thumbprint; a symmetric
// or empty key is an error.
func Thumbprint(k *jose.JSONWebKey) (string, error) {
	if k == nil {
		return "", errors.New("dpop: thumbprint of no key")
	}
	pub := k.Public()
	if !pub.Valid() || !pub.IsPublic() {
		return "", errors.New("dpop: thumbprint needs an asymmetric key")
	}
	sum, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("dpop: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// CheckAlgs reports an algorithm of algs a Config may not allow: anything
// but an asymmetric signature algorithm.
func CheckAlgs(algs []jose.SignatureAlgorithm) error {
	for _, alg := range algs {
		if !asymmetric[alg] {
			return fmt.Errorf("dpop: algorithm %q is not an asymmetric signature algorithm", alg)
		}
	}
	return nil
}

// Nonce is the nonce a server using nonces sends in DPoP-Nonce now; ""
// when the Verifier uses none.
func (v *Verifier) Nonce() string {
	if v.nonces == nil {
		return ""
	}
	return v.nonces.Current(v.now())
}

// ValidThumbprint reports whether s has the form of a Thumbprint: 43
// base64url characters, a SHA-256 without padding. The dpop_jkt
// authorization request parameter (RFC 9449 section 10) is checked with it.
func ValidThumbprint(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}
