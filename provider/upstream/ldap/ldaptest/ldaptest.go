// Package ldaptest runs Debian's OpenLDAP server (slapd) for tests: a
// directory on a loopback port, seeded from testdata/seed.ldif with the
// users and groups Start describes, until the test ends.
//
// A test that starts one is skipped when slapd is not installed, and
// fails instead when CI=true (the CI image installs it).
package ldaptest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/pem"
	"io"
	"maps"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// seed holds slapd.conf (DIR standing for the directory's folder), the
// schema of Active Directory's attributes, and the entries.
//
//go:embed testdata/slapd.conf testdata/test.schema testdata/seed.ldif
var seed embed.FS

// The seeded directory's names.
const (
	// BaseDN is the directory's suffix.
	BaseDN = "dc=example,dc=org"
	// UserBase holds the people, GroupBase the groups (groupOfNames,
	// member holding the people's DNs).
	UserBase  = "ou=people," + BaseDN
	GroupBase = "ou=groups," + BaseDN
	// ReaderDN is the service account that may read every entry (but
	// not passwords); ReaderPassword is its password.
	ReaderDN       = "cn=reader,ou=services," + BaseDN
	ReaderPassword = "reader-secret"
	// MailDomain is the domain of the people's mail addresses.
	MailDomain = "example.org"
)

// User is a seeded person (inetOrgPerson under UserBase).
type User struct {
	// UID is the login name; DN the entry's.
	UID, DN string
	// Password is the userPassword, in clear.
	Password string
	// Email is mail ("" when the entry has none); Name is cn.
	Email, Name string
	// Groups are the cn of the groups whose member lists the user.
	Groups []string
	// Disabled: the entry's userAccountControl is 514, Active
	// Directory's mark of a disabled account.
	Disabled bool
}

// Users returns the seeded people by UID:
//
//   - ann: mail, groups chat-admins and staff; also objectGUID
//     01..10 and memberOf chat-admins, as an Active Directory entry;
//   - bob: mail, group staff;
//   - dave: disabled (userAccountControl 514), no mail;
//   - erin: no mail, employeeType left (for an enabled filter);
//   - twin1 and twin2: no mail, both with displayName twin (a name
//     two entries match).
func Users() map[string]User {
	people := []User{
		{UID: "ann", Password: "ann-password", Email: "ann@" + MailDomain, Name: "Ann Lee", Groups: []string{"chat-admins", "staff"}},
		{UID: "bob", Password: "bob-password", Email: "bob@" + MailDomain, Name: "Bob Wu", Groups: []string{"staff"}},
		{UID: "dave", Password: "dave-password", Name: "Dave Disabled", Disabled: true},
		{UID: "erin", Password: "erin-password", Name: "Erin Left"},
		{UID: "twin1", Password: "twin-password", Name: "Twin One"},
		{UID: "twin2", Password: "twin-password", Name: "Twin Two"},
	}
	out := make(map[string]User, len(people))
	for _, u := range people {
		u.DN = "uid=" + u.UID + "," + UserBase
		out[u.UID] = u
	}
	return out
}

// Groups returns the seeded groups' cn, sorted.
func Groups() []string {
	var groups []string
	for _, u := range Users() {
		groups = append(groups, u.Groups...)
	}
	slices.Sort(groups)
	return slices.Compact(groups)
}

// Directory is a running slapd.
type Directory struct {
	// URL is its ldap:// listener's (StartTLS allowed when started with
	// a certificate).
	URL string
	// LDAPSURL is its ldaps:// listener's, set by StartTLS only.
	LDAPSURL string
	// Users are the seeded people by UID (see Users).
	Users map[string]User

	t    testing.TB
	bin  string
	conf string
	urls []string
	cmd  *exec.Cmd
	done chan struct{} // closed when slapd has exited
}

// Start seeds a directory in a temporary folder and runs slapd on it
// until the test ends.
func Start(t testing.TB) *Directory {
	t.Helper()
	return StartTLS(t, nil)
}

// StartTLS starts a directory as Start does and, with cert, listens on
// an ldaps:// port too (LDAPSURL), StartTLS allowed on the ldap:// one.
func StartTLS(t testing.TB, cert *Cert) *Directory {
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
	for _, name := range []string{"test.schema", "seed.ldif"} {
		b, err := seed.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	conf, err := seed.ReadFile("testdata/slapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	d := &Directory{Users: Users(), t: t, bin: bin, conf: filepath.Join(dir, "slapd.conf")}
	text := strings.ReplaceAll(string(conf), "DIR", dir)
	if cert != nil {
		text = cert.write(t, dir) + text
	}
	if err := os.WriteFile(d.conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(filepath.Join(filepath.Dir(bin), "slapadd"), "-f", d.conf, "-l", filepath.Join(dir, "seed.ldif")).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}
	d.URL = "ldap://" + freeAddr(t)
	d.urls = []string{d.URL}
	if cert != nil {
		d.LDAPSURL = "ldaps://" + freeAddr(t)
		d.urls = append(d.urls, d.LDAPSURL)
	}
	d.start()
	t.Cleanup(d.Stop)
	return d
}

// User returns the seeded person uid, failing the test when there is
// none.
func (d *Directory) User(uid string) User {
	d.t.Helper()
	u, ok := d.Users[uid]
	if !ok {
		d.t.Fatalf("ldaptest: no seeded user %q (have %v)", uid, slices.Sorted(maps.Keys(d.Users)))
	}
	return u
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs slapd in the foreground and returns once it says it
// listens on every URL.
func (d *Directory) start() {
	d.t.Helper()
	// -d 8 (connections) keeps slapd in the foreground and logs each
	// listener it adds once it listens on it.
	d.cmd = exec.Command(d.bin, "-f", d.conf, "-h", strings.Join(d.urls, " "), "-d", "8")
	r, w := io.Pipe()
	d.cmd.Stderr = w
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		w.Close()
		close(done)
	}(d.cmd, d.done)
	lines := bufio.NewScanner(r)
	var log []string
	listening := 0
	for lines.Scan() {
		log = append(log, lines.Text())
		if strings.Contains(lines.Text(), "daemon: added") && strings.Contains(lines.Text(), "listener=0x") {
			listening++
		}
		if listening == len(d.urls) {
			go func() {
				for lines.Scan() {
				}
			}()
			return
		}
	}
	d.Stop()
	d.t.Fatalf("slapd did not start:\n%s", strings.Join(log, "\n"))
}

// Stop ends slapd and waits for it: the directory is down, its ports
// closed. Stopping a stopped directory does nothing.
func (d *Directory) Stop() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// Restart stops slapd and starts it again on the same ports and data.
func (d *Directory) Restart() {
	d.t.Helper()
	d.Stop()
	d.start()
}

// Cert is a CA and the certificate it issued to 127.0.0.1, for a
// directory's TLS.
type Cert struct {
	// Pool holds the CA alone: what a client trusting it is given.
	Pool *x509.CertPool
	// CAPEM, CertPEM and KeyPEM are the CA's certificate, the server's
	// and the server's private key (PKCS #8), in PEM.
	CAPEM, CertPEM, KeyPEM []byte
}

// NewCert makes a CA and a certificate for 127.0.0.1, valid for an hour.
func NewCert(t testing.TB) *Cert {
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
	c := &Cert{
		Pool:    x509.NewCertPool(),
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	c.Pool.AddCert(caCert)
	return c
}

// write puts the files in dir and returns slapd.conf's TLS lines.
func (c *Cert) write(t testing.TB, dir string) string {
	t.Helper()
	for name, b := range map[string][]byte{"ca.pem": c.CAPEM, "cert.pem": c.CertPEM, "key.pem": c.KeyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return "TLSCACertificateFile " + filepath.Join(dir, "ca.pem") + "\n" +
		"TLSCertificateFile " + filepath.Join(dir, "cert.pem") + "\n" +
		"TLSCertificateKeyFile " + filepath.Join(dir, "key.pem") + "\n"
}
