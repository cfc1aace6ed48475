package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// serverOptions says what kind of SMTP server startServer runs.
type serverOptions struct {
	// security is "none" (plain, no STARTTLS offered), "starttls" (plain,
	// STARTTLS offered) or "tls" (TLS from the first byte).
	security string
	// username and password, when set, make the server offer AUTH PLAIN
	// and refuse MAIL FROM until a client has authenticated with them.
	username, password string
	// rejectData makes the server refuse every message after DATA.
	rejectData bool
}

// received is one message the test server accepted.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool   // the session was encrypted when the message came
	user string // who authenticated, if anyone
}

// testServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that
// keeps what it receives.
type testServer struct {
	port int
	// clientTLS trusts the server's certificate (nil for "none").
	clientTLS *tls.Config
	opts      serverOptions

	mu        sync.Mutex
	messages  []received
	mailCalls int // MAIL FROM commands, accepted or not
}

// startServer runs an SMTP server until the test ends.
func startServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{port: l.Addr().(*net.TCPAddr).Port, opts: opts}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{srv: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(t.Output(), "smtp server: ", 0)
	switch opts.security {
	case SecurityNone:
	case SecuritySTARTTLS:
		var serverTLS *tls.Config
		serverTLS, ts.clientTLS = selfSigned(t)
		s.TLSConfig = serverTLS
	case SecurityTLS:
		var serverTLS *tls.Config
		serverTLS, ts.clientTLS = selfSigned(t)
		l = tls.NewListener(l, serverTLS)
	default:
		t.Fatalf("unknown server security %q", opts.security)
	}
	go s.Serve(l) // returns when the cleanup closes the server
	t.Cleanup(func() { s.Close() })
	return ts
}

// received returns what the server has accepted so far.
func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.messages...)
}

func (ts *testServer) mailCommands() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.mailCalls
}

// testSession is one client's session; go-smtp starts a new one after
// STARTTLS, as RFC 3207 section 4.2 requires the client to start over.
type testSession struct {
	srv  *testServer
	conn *smtp.Conn
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*testSession)(nil)

func (s *testSession) AuthMechanisms() []string {
	if s.srv.opts.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || s.srv.opts.username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.opts.username || password != s.srv.opts.password {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	s.srv.mu.Lock()
	s.srv.mailCalls++
	s.srv.mu.Unlock()
	if s.srv.opts.username != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.opts.rejectData {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message refused by policy"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.messages = append(s.srv.messages, received{from: s.from, to: s.to, data: data, tls: isTLS, user: s.user})
	return nil
}

func (s *testSession) Reset() { s.from, s.to = "", nil }

func (s *testSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and returns the server's
// TLS config and a client config that trusts that certificate alone. The
// client config has no ServerName: NewSMTP must fill it in from Host.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test smtp server"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}

// startSilentServer accepts connections and never says a word: not the
// greeting, not a TLS handshake. It returns the port.
func startSilentServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				t.Errorf("silent server: accept: %v", err)
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}
