package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// The values of SMTPConfig.Security.
const (
	SecuritySTARTTLS = "starttls" // plain connection upgraded with STARTTLS, which the server must offer (RFC 3207)
	SecurityTLS      = "tls"      // TLS from the first byte, usually port 465 (RFC 8314 section 3.3)
	SecurityNone     = "none"     // no encryption: only for a relay on this host or network
)

// defaultTimeout bounds one Send when SMTPConfig.Timeout is zero.
const defaultTimeout = 10 * time.Second

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	// From is the sender address, optionally with a display name:
	// "TokenIM <no-reply@tokenim.example>". Its domain also ends every
	// Message-ID.
	From string
	// Security is "starttls" (required STARTTLS, the default when empty),
	// "tls" (implicit TLS, usually port 465) or "none" (plain; only for a
	// local relay).
	Security string
	// Timeout bounds one Send, from dialling to the server's answer to the
	// message; zero means 10s.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust a self-signed
	// certificate with it). Nil means the system roots; an empty
	// ServerName is set to Host.
	TLSConfig *tls.Config
	// Now is the clock of the Date header; nil means time.Now.
	Now func() time.Time
}

// SMTP sends mail through one SMTP server, one connection per message.
// It is safe for concurrent use.
type SMTP struct {
	host      string
	port      int
	username  string
	password  string
	from      *netmail.Address
	domain    string // of From, for Message-IDs
	security  string
	timeout   time.Duration
	tlsConfig *tls.Config
	now       func() time.Time
}

// NewSMTP checks cfg and returns a sender for it. Every problem is
// reported, each naming its field.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("mail: smtp.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if cfg.Host == "" {
		bad("host", "required")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		bad("port", "%d is not between 1 and 65535", cfg.Port)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		bad("from", "%q is not an email address: %v", cfg.From, err)
	}
	security := cfg.Security
	if security == "" {
		security = SecuritySTARTTLS
	}
	switch security {
	case SecuritySTARTTLS, SecurityTLS:
	case SecurityNone:
		if cfg.Username != "" && !isLoopback(cfg.Host) {
			bad("security", `"none" would send the password in clear to %s: use "starttls" or "tls"`, cfg.Host)
		}
	default:
		bad("security", "%q is not one of starttls, tls, none", cfg.Security)
	}
	if cfg.Password != "" && cfg.Username == "" {
		bad("password", "set without a username")
	}
	if cfg.Timeout < 0 {
		bad("timeout", "%s is negative", cfg.Timeout)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	s := &SMTP{
		host:     cfg.Host,
		port:     cfg.Port,
		username: cfg.Username,
		password: cfg.Password,
		from:     from,
		domain:   from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		security: security,
		timeout:  cfg.Timeout,
		now:      cfg.Now,
	}
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.TLSConfig != nil {
		s.tlsConfig = cfg.TLSConfig.Clone()
	} else {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = cfg.Host
	}
	return s, nil
}

// isLoopback reports whether host names this machine, where a password
// sent without TLS does not cross a network. It accepts exactly the names
// for which go-mail's PLAIN and LOGIN agree to send one in clear.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send delivers m as a multipart/alternative message (text, then HTML),
// UTF-8 and quoted-printable, with an RFC 2047 encoded subject when it is
// not ASCII, a Date and a Message-ID.
//
// The whole exchange, from dialling to the server's answer to the
// message, runs under ctx and the configured Timeout, whichever ends
// first: the connection is closed when either does, so a server that
// stops answering cannot hold Send longer.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := s.send(ctx, m); err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return err
	}
	msg, err := s.build(m)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	client, err := gomail.NewClient(s.host, s.options(ctx)...)
	if err != nil {
		return err
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return withContext(ctx, err)
	}
	err = client.SendWithSMTPClient(conn, msg)
	// Once the server has accepted the message (its reply to the end of
	// DATA, RFC 5321 section 4.1.1.4) it is the server's to deliver: a
	// failed QUIT afterwards does not undo that, and reporting it would
	// make the caller send a second copy.
	_ = client.CloseWithSMTPClient(conn)
	if err != nil && !msg.IsDelivered() {
		return withContext(ctx, bodiless(err))
	}
	return nil
}

// bodiless replaces a go-mail SendError by its text. A SendError carries
// the whole message (its Msg method), one-time link included, for anyone
// who unwraps the error to find; its text names the step, the server's
// reply and the Message-ID only.
func bodiless(err error) error {
	if _, ok := errors.AsType[*gomail.SendError](err); ok {
		return errors.New(err.Error())
	}
	return err
}

// withContext adds the context's error to err when the context ended, so
// that callers can tell a timeout from a refusal with errors.Is: go-mail
// then only reports the closed connection. go-mail's own per-command
// deadline is the configured Timeout too, so it may fire a moment before
// the context's: that is the same timeout.
func withContext(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	return err
}

// options configures a go-mail client for one Send under ctx.
func (s *SMTP) options(ctx context.Context) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		// Each command's deadline; the whole Send is bounded by ctx.
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithDialContextFunc(s.dialer(ctx)),
		// One message per connection, closed right after: no RSET needed.
		gomail.WithoutRset(),
	}
	switch s.security {
	case SecuritySTARTTLS:
		// Mandatory: a server that does not offer STARTTLS, or a
		// man in the middle who strips it, fails the send rather than
		// getting the message in clear.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SecurityTLS:
		// The dialer does the TLS handshake; WithSSL stops go-mail from
		// also trying STARTTLS inside it.
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.username != "" {
		// PLAIN and LOGIN are what mail services offer; go-mail's smtp
		// package refuses both on an unencrypted connection to anything
		// but localhost. With neither offered, go-mail picks from what
		// is; with no AUTH offered at all, the send fails rather than go
		// out unauthenticated.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.username),
			gomail.WithPassword(s.password),
		)
	}
	return opts
}

// dialer connects for one Send. go-mail only uses its context to dial and
// then relies on per-command deadlines, so the dialer ties the connection
// to ctx itself: when ctx ends — cancelled, past its deadline, or because
// Send returned — the connection is closed and whatever go-mail is
// waiting for fails at once.
func (s *SMTP) dialer(ctx context.Context) gomail.DialContextFunc {
	return func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { raw.Close() })
		if s.security != SecurityTLS {
			return raw, nil
		}
		conn := tls.Client(raw, s.tlsConfig)
		if err := conn.HandshakeContext(dialCtx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		return conn, nil
	}
}

// build turns m into a go-mail message from the configured sender.
func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, s.from)
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageIDWithValue(s.messageID())
	// RFC 3834 section 5: mail sent by a program, not a person, so
	// vacation responders and the like do not answer it.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID returns a new Message-ID without the angle brackets: 128
// random bits at the sender's domain (RFC 5322 section 3.6.4), rather
// than go-mail's default of this machine's host name.
func (s *SMTP) messageID() string {
	return strings.ToLower(rand.Text()) + "@" + s.domain
}
