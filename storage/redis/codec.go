package redis

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// An entry in Redis is "<version>\n<marker>\t<marker>…\n<payload>": the
// version and markers are read by the scripts (see doc.go), the payload
// only by this package.

// entry builds an entry.
func entry(version int64, markers []string, payload []byte) []byte {
	b := make([]byte, 0, 24+len(payload)+16*len(markers))
	b = strconv.AppendInt(b, version, 10)
	b = append(b, '\n')
	for i, m := range markers {
		if i > 0 {
			b = append(b, '\t')
		}
		b = append(b, m...)
	}
	b = append(b, '\n')
	return append(b, payload...)
}

// Markers: what an entry depends on, and what an invalidation names. A
// long ID is shortened to a hash of it: two IDs sharing a marker would
// only make an invalidation drop more entries than it must, never fewer.
func marker(kind byte, id string) string {
	if len(id) <= 16 {
		return string(kind) + ":" + id
	}
	sum := sha256.Sum256([]byte(id))
	return string(kind) + "#" + base64.RawURLEncoding.EncodeToString(sum[:9])
}

func markerToken(signature string) string { return marker('t', signature) }
func markerSubject(subject string) string { return marker('s', subject) }

// markerClientTokens concerns every token of a client (the client is
// deleted); markerClient only the client's own record.
func markerClientTokens(id string) string { return marker('c', id) }
func markerClient(id string) string       { return marker('k', id) }
func markerUser(id string) string         { return marker('u', id) }

// clean reports whether s can go into an entry's marker line.
func clean(s string) bool { return !strings.ContainsAny(s, "\t\n") }

// tokenMarkers are the markers an access token's entry depends on in
// its shard besides its own: its client's and its subject's, stamped in
// every shard. Its family's revocation stamps its own marker instead,
// the store naming the tokens it revoked (tokensChange).
func tokenMarkers(t storage.Token) []string {
	m := []string{markerClientTokens(t.ClientID)}
	if t.Subject != "" {
		m = append(m, markerSubject(t.Subject))
	}
	return m
}

// tokenLayout2 starts an entry whose fields end with the token's
// workspace (storage.Token.WorkspaceID), before the compressed block.
// An entry of the first layout starts with the block's format byte
// (sessionRaw, sessionS2), so a node of either version tells them apart:
// a node that predates workspaces reads this byte as an unknown format,
// a corrupt entry, and reads the database instead.
const tokenLayout2 byte = 0x32

// encodeToken writes what a token record holds besides its kind and
// signature, which are in its key: length-prefixed fields then the
// session, compressed together, after the layout byte.
func (c *compressor) encodeToken(t storage.Token) []byte {
	b := make([]byte, 0, 96+len(t.Session))
	b = appendString(b, t.RequestID)
	b = appendString(b, t.ClientID)
	b = appendString(b, t.Subject)
	b = appendString(b, strings.Join(t.Scopes, " "))
	if t.Active {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendTime(b, t.RequestedAt)
	b = appendTime(b, t.ExpiresAt)
	b = appendString(b, t.AccessSignature)
	b = appendString(b, t.WorkspaceID)
	// One block: the session repeats the request ID, the client and the
	// scopes, which the compression then stores once.
	return c.compress([]byte{tokenLayout2}, append(b, t.Session...))
}

var errCorrupt = errors.New("redis: corrupt cache entry")

// decodeToken reads what encodeToken wrote.
func (c *compressor) decodeToken(kind storage.TokenKind, signature string, b []byte) (storage.Token, error) {
	t := storage.Token{Kind: kind, Signature: signature}
	layout2 := len(b) > 0 && b[0] == tokenLayout2
	if layout2 {
		b = b[1:]
	}
	raw, err := c.decompress(b)
	if err != nil {
		return storage.Token{}, err
	}
	d := decoder{b: raw}
	t.RequestID = d.string()
	t.ClientID = d.string()
	t.Subject = d.string()
	if scopes := d.string(); scopes != "" {
		t.Scopes = strings.Split(scopes, " ")
	}
	t.Active = d.byte() == 1
	t.RequestedAt = d.time()
	t.ExpiresAt = d.time()
	t.AccessSignature = d.string()
	if layout2 {
		t.WorkspaceID = d.string()
	}
	if d.err {
		return storage.Token{}, errCorrupt
	}
	t.Session = d.b
	return t, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime writes t in microseconds since the epoch (what Postgres
// keeps), 0 for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixMicro())
}

type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) string() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.err, d.b = true, nil
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) time() time.Time {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.err, d.b = true, nil
		return time.Time{}
	}
	d.b = d.b[k:]
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
