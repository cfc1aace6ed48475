package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every subscription secret (Standard Webhooks).
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's key (the spec asks 24 to 64).
const secretBytes = 32

// SealPurpose is the system secret's purpose (secret.Keyring.Sealer) for
// the sealed subscription secrets.
const SealPurpose = "tokenim-auth webhook secrets v1"

// ErrSecret is a secret that is not "whsec_" and base64.
var ErrSecret = errors.New("webhooks: not a webhook secret")

// newKey returns a fresh random key.
func newKey() []byte {
	k := make([]byte, secretBytes)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
}

// SecretText is key as it is shown once: "whsec_" and its base64.
func SecretText(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret returns the key of a secret SecretText made.
func ParseSecret(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil || !strings.HasPrefix(s, SecretPrefix) || len(k) == 0 {
		return nil, ErrSecret
	}
	return k, nil
}

// Sign returns the webhook-signature header of a message for keys (the
// current key first): one "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"
// per key, space-separated.
func Sign(keys [][]byte, msgID string, at time.Time, body []byte) string {
	content := msgID + "." + strconv.FormatInt(at.Unix(), 10) + "." + string(body)
	sigs := make([]string, 0, len(keys))
	for _, k := range keys {
		mac := hmac.New(sha256.New, k)
		mac.Write([]byte(content))
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}
