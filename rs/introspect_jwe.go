package rs

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Encrypted introspection answers (RFC 9701 section 6). A resource server
// whose client registered introspection_encrypted_response_alg gets each
// signed answer encrypted to a key it publishes at the client's jwks_uri:
// a nested JWT whose signed JWT only its private key opens, so that what
// the answer says of a user stays between the provider and it.

// DecryptionKey is a private key of the resource server that introspection
// answers are encrypted to: an *rsa.PrivateKey of 2048 bits or more
// (RSA-OAEP-256) or an *ecdsa.PrivateKey (ECDH-ES, with or without AES key
// wrap), named by ID, the kid its public half is published under
// (PublicKeys).
type DecryptionKey struct {
	ID  string
	Key any
}

// keyAlgorithms and contentEncryptions are what an encrypted answer may
// use: what the provider offers (RSA1_5 and RSA-OAEP with SHA-1 never).
func keyAlgorithms() []jose.KeyAlgorithm {
	return []jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW}
}

func contentEncryptions() []jose.ContentEncryption {
	return []jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512, jose.A128GCM, jose.A192GCM, jose.A256GCM}
}

// checkDecryptionKeys checks the keys of Config.IntrospectionKeys.
func checkDecryptionKeys(keys []DecryptionKey, signed bool) []error {
	if len(keys) == 0 {
		return nil
	}
	var errs []error
	if !signed {
		errs = append(errs, errors.New("introspection keys: only with signed introspection (encrypted answers are signed JWTs)"))
	}
	seen := map[string]bool{}
	for i, k := range keys {
		switch {
		case k.ID == "":
			errs = append(errs, fmt.Errorf("introspection keys[%d]: an ID (kid) is required", i))
		case seen[k.ID]:
			errs = append(errs, fmt.Errorf("introspection keys[%d]: ID %q used twice", i, k.ID))
		}
		seen[k.ID] = true
		switch key := k.Key.(type) {
		case *rsa.PrivateKey:
			if key.N.BitLen() < 2048 {
				errs = append(errs, fmt.Errorf("introspection keys[%d]: an RSA key of %d bits; 2048 or more", i, key.N.BitLen()))
			}
		case *ecdsa.PrivateKey:
		default:
			errs = append(errs, fmt.Errorf("introspection keys[%d]: a %T; an *rsa.PrivateKey or *ecdsa.PrivateKey", i, k.Key))
		}
	}
	return errs
}

// decryptIntrospection opens an encrypted answer with the key its header
// names (or, naming none, with each key) and returns the signed JWT inside.
func (v *Verifier) decryptIntrospection(body string) (string, error) {
	obj, err := jose.ParseEncryptedCompact(body, keyAlgorithms(), contentEncryptions())
	if err != nil {
		return "", fmt.Errorf("not an encrypted JWT: %w", err)
	}
	if cty, _ := obj.Header.ExtraHeaders[jose.HeaderContentType].(string); !strings.EqualFold(cty, "JWT") {
		return "", fmt.Errorf("cty %q, not JWT: the encrypted answer must be a nested JWT", cty)
	}
	for _, k := range v.cfg.IntrospectionKeys {
		if obj.Header.KeyID != "" && obj.Header.KeyID != k.ID {
			continue
		}
		if inner, err := obj.Decrypt(k.Key); err == nil {
			return string(inner), nil
		}
	}
	return "", fmt.Errorf("no introspection key (kid %q) opens the answer", obj.Header.KeyID)
}

// PublicKeys serves the public halves of keys as a JSON Web Key Set, each
// with use "enc": the resource server publishes it at the jwks_uri its
// client registered, for the provider to encrypt introspection answers to.
func PublicKeys(keys ...DecryptionKey) (http.Handler, error) {
	if errs := checkDecryptionKeys(keys, true); len(errs) > 0 {
		return nil, fmt.Errorf("rs: public keys: %w", errors.Join(errs...))
	}
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		private := jose.JSONWebKey{Key: k.Key, KeyID: k.ID, Use: "enc"}
		set.Keys = append(set.Keys, private.Public())
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("rs: public keys: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=300")
		_, _ = w.Write(body)
	}), nil
}
