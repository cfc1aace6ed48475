package redis

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// Token sessions are JSON of a few hundred bytes, most of it the same
// from one token to the next (field names, zero times, scope names). They
// are kept in Redis compressed with S2 against a dictionary of what such a
// session looks like: a few microseconds to encode, less than one to
// decode, and a cached token costs Redis about a third of its size. The
// dictionary only shapes the compression: any content round-trips.

// sessionDict is the content of the dictionary.
const sessionDict = `{"id":"00000000-0000-0000-0000-000000000000","requested_at":"2026-01-01T00:00:00.000000000Z","client_id":"","requested_scope":["openid","offline_access","profile","email","im:messages.read","im:messages.send","im:contacts.read","im:calls.read","im:presence.read"],"granted_scope":["openid","offline_access","profile","email","im:messages.read","im:messages.send"],"requested_audience":[],"granted_audience":[],"form":{"grant_type":["client_credentials"],"scope":["im:messages.send"]},"session":{"id_token_claims":{"jti":"","iss":"https://","sub":"","aud":null,"nonce":"","exp":"0001-01-01T00:00:00Z","iat":"0001-01-01T00:00:00Z","rat":"0001-01-01T00:00:00Z","auth_time":"0001-01-01T00:00:00Z","at_hash":"","acr":"","amr":null,"c_hash":"","ext":{}},"headers":{"extra":{}},"expires_at":{"access_token":"2026-01-01T00:00:00.000000000Z","refresh_token":"2026-01-01T00:00:00.000000000Z","authorize_code":"2026-01-01T00:00:00.000000000Z"},"username":"","subject":""}}{"grant_type":["authorization_code","refresh_token"],"redirect_uri":["https://"]},"session":{"id_token_claims":{"jti":"","iss":"http://127.0.0.1","sub":"","aud":["chat-web"],"nonce":"","exp":"2026-01-01T00:00:00Z","iat":"2026-01-01T00:00:00Z","rat":"2026-01-01T00:00:00Z","auth_time":"2026-01-01T00:00:00Z","at_hash":"","acr":"1","amr":["pwd","otp"],"c_hash":"","ext":{"sid":""}},"headers":{"extra":{"kid":""}},"expires_at":{"access_token":"`

// Formats of a stored session.
const (
	sessionRaw byte = 0
	sessionS2  byte = 1
)

type compressor struct {
	dict *s2.Dict
}

func newCompressor() (*compressor, error) {
	d := s2.MakeDict([]byte(sessionDict), []byte(`{"id":"`))
	if d == nil {
		return nil, errors.New("redis: the session dictionary is too short")
	}
	return &compressor{dict: d}, nil
}

// compress appends data in its smaller form to b.
func (c *compressor) compress(b, data []byte) []byte {
	z := c.dict.Encode(nil, data)
	if len(z) >= len(data) {
		return append(append(b, sessionRaw), data...)
	}
	return append(append(b, sessionS2), z...)
}

// decompress reads what compress wrote.
func (c *compressor) decompress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errCorrupt
	}
	switch b[0] {
	case sessionRaw:
		return b[1:], nil
	case sessionS2:
		out, err := c.dict.Decode(nil, b[1:])
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		return out, nil
	}
	return nil, errCorrupt
}
