package ldap

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// slapd is Debian's OpenLDAP server, run by a test on a loopback port
// with the directory in testdata/seed.ldif.
type slapd struct {
	t    *testing.T
	bin  string
	conf string
	url  string
	// ldapsURL is the ldaps:// listener's, with a certificate.
	ldapsURL string
	urls     []string
	cmd      *exec.Cmd
	done     chan struct{} // closed when slapd has exited
}

// startSlapd seeds a directory in a temporary folder and starts slapd on
// it; it skips the test when slapd is not installed (fails with CI=true).
func startSlapd(t *testing.T) *slapd {
	t.Helper()
	return startSlapdTLS(t, nil)
}

// startSlapdTLS starts slapd as startSlapd does and, with a certificate,
// on an ldaps:// port too (s.ldapsURL), StartTLS allowed on the ldap://
// one.
func startSlapdTLS(t *testing.T, cert *testCert) *slapd {
	t.Helper()
	bin, err := exec.LookPath("slapd")
	if err != nil {
		bin = "/usr/sbin/slapd"
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("slapd is not installed (apt-get install slapd ldap-utils): .ci/run installs it")
		}
		t.Skip("slapd is not installed (apt-get install slapd ldap-utils): skipping the directory tests")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("testdata/test.schema")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "test.schema"), schema, 0o600); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile("testdata/slapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := &slapd{t: t, bin: bin, conf: filepath.Join(dir, "slapd.conf")}
	text := strings.ReplaceAll(string(conf), "DIR", dir)
	if cert != nil {
		text = cert.write(t, dir) + text
	}
	if err := os.WriteFile(s.conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(filepath.Join(filepath.Dir(bin), "slapadd"), "-f", s.conf, "-l", "testdata/seed.ldif").CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.url = "ldap://" + l.Addr().String()
	l.Close()
	s.urls = []string{s.url}
	if cert != nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.ldapsURL = "ldaps://" + l.Addr().String()
		l.Close()
		s.urls = append(s.urls, s.ldapsURL)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// start runs slapd in the foreground and returns once it says it
// listens.
func (s *slapd) start() {
	s.t.Helper()
	// -d 8 (connections) keeps slapd in the foreground and logs each
	// listener it adds once it listens on it.
	s.cmd = exec.Command(s.bin, "-f", s.conf, "-h", strings.Join(s.urls, " "), "-d", "8")
	r, w := io.Pipe()
	s.cmd.Stderr = w
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		w.Close()
		close(done)
	}(s.cmd, s.done)
	lines := bufio.NewScanner(r)
	var log []string
	listening := 0
	for lines.Scan() {
		log = append(log, lines.Text())
		if strings.Contains(lines.Text(), "daemon: added") && strings.Contains(lines.Text(), "listener=0x") {
			listening++
		}
		if listening == len(s.urls) {
			go func() {
				for lines.Scan() {
				}
			}()
			return
		}
	}
	s.stop()
	s.t.Fatalf("slapd did not start:\n%s", strings.Join(log, "\n"))
}

// stop ends slapd and waits for it.
func (s *slapd) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// restart stops slapd and starts it again on the same port and data.
func (s *slapd) restart() {
	s.stop()
	s.start()
}

// testCert is a CA and the certificate it issued to 127.0.0.1.
type testCert struct {
	pool           *x509.CertPool
	caPEM, certPEM []byte
	keyPEM         []byte
}

func newTestCert(t *testing.T) *testCert {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := &testCert{
		pool:    x509.NewCertPool(),
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	c.pool.AddCert(caCert)
	return c
}

// write puts the files in dir and returns slapd.conf's TLS lines.
func (c *testCert) write(t *testing.T, dir string) string {
	t.Helper()
	for name, b := range map[string][]byte{"ca.pem": c.caPEM, "cert.pem": c.certPEM, "key.pem": c.keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return "TLSCACertificateFile " + filepath.Join(dir, "ca.pem") + "\n" +
		"TLSCertificateFile " + filepath.Join(dir, "cert.pem") + "\n" +
		"TLSCertificateKeyFile " + filepath.Join(dir, "key.pem") + "\n"
}
