package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/config"
)

// caFile writes a self-signed CA certificate in PEM and returns its path.
func caFile(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cache CA"}, IsCA: true,
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRedisClient(t *testing.T) {
	t.Parallel()
	base := config.Default().Redis
	with := func(f func(r *config.Redis)) config.Redis {
		r := base
		f(&r)
		return r
	}

	t.Run("a URL gives one server with its database, credentials, TLS and the fast-failing timeouts", func(t *testing.T) {
		c, err := newRedisClient(with(func(r *config.Redis) { r.URL = "rediss://cache:s3cret@cache.internal:6380/4" }))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		o := c.(*goredis.Client).Options()
		if o.Addr != "cache.internal:6380" || o.DB != 4 || o.Username != "cache" || o.Password != "s3cret" || o.TLSConfig == nil {
			t.Fatalf("options %s db %d user %q tls %v", o.Addr, o.DB, o.Username, o.TLSConfig != nil)
		}
		if o.ReadTimeout != base.Timeout || o.DialTimeout != base.Timeout || o.MaxRetries > 0 {
			t.Fatalf("timeouts %v %v retries %d: want redis.timeout and no retry", o.DialTimeout, o.ReadTimeout, o.MaxRetries)
		}
	})

	t.Run("Sentinel addresses with a master name follow the master", func(t *testing.T) {
		c, err := newRedisClient(with(func(r *config.Redis) {
			r.Addrs, r.MasterName, r.Password = []string{"s1:26379", "s2:26379"}, "tokenim", "pw"
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, ok := c.(*goredis.Client); !ok {
			t.Fatalf("client %T, want a failover client", c)
		}
	})

	t.Run("several addresses without a master are a Cluster", func(t *testing.T) {
		c, err := newRedisClient(with(func(r *config.Redis) { r.Addrs = []string{"n1:6379", "n2:6379"} }))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, ok := c.(*goredis.ClusterClient); !ok {
			t.Fatalf("client %T, want a cluster client", c)
		}
	})

	t.Run("a CA file is trusted for TLS", func(t *testing.T) {
		c, err := newRedisClient(with(func(r *config.Redis) { r.Addrs, r.TLS, r.CAFile = []string{"cache:6379"}, true, caFile(t) }))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if tls := c.(*goredis.Client).Options().TLSConfig; tls == nil || tls.RootCAs == nil {
			t.Fatal("the CA file was not made the TLS roots")
		}
	})

	t.Run("a CA file that holds no certificate is refused, naming the field", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := newRedisClient(with(func(r *config.Redis) { r.Addrs, r.TLS, r.CAFile = []string{"cache:6379"}, true, bad }))
		if err == nil || !strings.Contains(err.Error(), "redis.ca_file") {
			t.Fatalf("err %v, want one naming redis.ca_file", err)
		}
	})

	t.Run("a CA file without TLS is refused, naming the field", func(t *testing.T) {
		_, err := newRedisClient(with(func(r *config.Redis) { r.Addrs, r.CAFile = []string{"cache:6379"}, caFile(t) }))
		if err == nil || !strings.Contains(err.Error(), "redis.ca_file") {
			t.Fatalf("err %v, want one naming redis.ca_file", err)
		}
	})
}

// TestRedisLogger checks that go-redis's messages make JSON log lines
// with one msg key, their text under detail.
func TestRedisLogger(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	redisLogger{slog.New(slog.NewJSONHandler(&out, nil))}.Printf(t.Context(), "redis: connection pool: %s", "timeout")
	line := out.String()
	if n := strings.Count(line, `"msg":`); n != 1 {
		t.Fatalf("%d msg keys in %s", n, line)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["msg"] != "redis client" || rec["detail"] != "redis: connection pool: timeout" || rec["level"] != "WARN" {
		t.Fatalf("log record %v", rec)
	}
}
