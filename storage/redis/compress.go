package redis

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Token sessions are JSON of a few hundred bytes, most of it the same
// from one token to the next (field names, zero times, scope names). They
// are kept in Redis compressed with zstd against a dictionary of what
// such a session looks like, so that a cached token costs Redis about a
// third of its size. The dictionary only shapes the compression: any
// content round-trips.

// sessionDict is the dictionary's content (zstd raw content dictionary).
const sessionDict = `{"id":"00000000-0000-0000-0000-000000000000","requested_at":"2026-01-01T00:00:00.000000000Z","client_id":"","requested_scope":["openid","offline_access","profile","email","im:messages.read","im:messages.send","im:contacts.read","im:calls.read","im:presence.read"],"granted_scope":["openid","offline_access","profile","email","im:messages.read","im:messages.send"],"requested_audience":[],"granted_audience":[],"form":{"grant_type":["client_credentials"],"scope":["im:messages.send"]},"session":{"id_token_claims":{"jti":"","iss":"https://","sub":"","aud":null,"nonce":"","exp":"0001-01-01T00:00:00Z","iat":"0001-01-01T00:00:00Z","rat":"0001-01-01T00:00:00Z","auth_time":"0001-01-01T00:00:00Z","at_hash":"","acr":"","amr":null,"c_hash":"","ext":{}},"headers":{"extra":{}},"expires_at":{"access_token":"2026-01-01T00:00:00.000000000Z","refresh_token":"2026-01-01T00:00:00.000000000Z","authorize_code":"2026-01-01T00:00:00.000000000Z"},"username":"","subject":""}}{"grant_type":["authorization_code","refresh_token"],"redirect_uri":["https://"]},"session":{"id_token_claims":{"jti":"","iss":"http://127.0.0.1","sub":"","aud":["chat-web"],"nonce":"","exp":"2026-01-01T00:00:00Z","iat":"2026-01-01T00:00:00Z","rat":"2026-01-01T00:00:00Z","auth_time":"2026-01-01T00:00:00Z","at_hash":"","acr":"1","amr":["pwd","otp"],"c_hash":"","ext":{"sid":""}},"headers":{"extra":{"kid":""}},"expires_at":{"access_token":"`

const dictID = 0x746b6d31 // "tkm1"

// Formats of a stored session.
const (
	sessionRaw  byte = 0
	sessionZstd byte = 1
)

type compressor struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCompressor() (*compressor, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderDictRaw(dictID, []byte(sessionDict)),
		zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("redis: session compressor: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(dictID, []byte(sessionDict)), zstd.WithDecoderConcurrency(0))
	if err != nil {
		return nil, fmt.Errorf("redis: session decompressor: %w", err)
	}
	return &compressor{enc: enc, dec: dec}, nil
}

// compress appends the session in its smaller form to b.
func (c *compressor) compress(b, session []byte) []byte {
	z := c.enc.EncodeAll(session, nil)
	if len(z) >= len(session) {
		return append(append(b, sessionRaw), session...)
	}
	return append(append(b, sessionZstd), z...)
}

// decompress reads what compress wrote.
func (c *compressor) decompress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errCorrupt
	}
	switch b[0] {
	case sessionRaw:
		return b[1:], nil
	case sessionZstd:
		out, err := c.dec.DecodeAll(b[1:], nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		return out, nil
	}
	return nil, errCorrupt
}
