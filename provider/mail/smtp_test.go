package mail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// testNow is the clock of every test that needs one.
var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("CST", 8*60*60))

// testLink is longer than a quoted-printable line (76 characters) and has
// the characters quoted-printable encodes (=), so it only survives
// transport if soft line breaks and escapes decode back exactly.
const testLink = "https://auth.tokenim.example/activate?token=Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTAtYWJjZGVmZ2hpams_LW1ub3A=&lang=zh-CN"

const testFrom = "TokenIM 团队 <no-reply@tokenim.example>"

// testMessages returns the mails a transport test sends: an English one
// and a Chinese one, with a long Chinese subject that needs more than one
// encoded-word.
func testMessages(t *testing.T) []Message {
	t.Helper()
	c := newTestComposer(t)
	en, err := c.PasswordReset(English, "Ann Example <ann@example.com>", PasswordReset{Name: "Ann", Link: testLink, Expires: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	zh, err := c.Activation(Chinese, "li.lei@example.cn", Activation{Name: "李雷", Link: testLink, Expires: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	zh.Subject += "：请在二十四小时之内完成邮箱验证，以便继续使用即时通讯、语音通话与视频会议等全部功能"
	return []Message{en, zh}
}

func newTestComposer(t *testing.T) *Composer {
	t.Helper()
	c, err := NewComposer()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestSMTP(t *testing.T, cfg SMTPConfig) *SMTP {
	t.Helper()
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.From == "" {
		cfg.From = testFrom
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSendDelivers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		server  serverOptions
		user    string
		pass    string
		wantTLS bool
	}{
		{name: "plain relay without TLS delivers", server: serverOptions{security: SecurityNone}},
		{name: "starttls upgrades the connection before sending", server: serverOptions{security: SecuritySTARTTLS}, wantTLS: true},
		{name: "implicit tls delivers", server: serverOptions{security: SecurityTLS}, wantTLS: true},
		{
			name:   "auth plain over starttls delivers with the right password",
			server: serverOptions{security: SecuritySTARTTLS, username: "relay-user", password: "s3cret pass"},
			user:   "relay-user", pass: "s3cret pass", wantTLS: true,
		},
		{
			name:   "auth plain over implicit tls delivers with the right password",
			server: serverOptions{security: SecurityTLS, username: "relay-user", password: "s3cret pass"},
			user:   "relay-user", pass: "s3cret pass", wantTLS: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.server)
			s := newTestSMTP(t, SMTPConfig{
				Port: srv.port, Security: tc.server.security, TLSConfig: srv.clientTLS,
				Username: tc.user, Password: tc.pass,
			})
			msgs := testMessages(t)
			for _, m := range msgs {
				if err := s.Send(t.Context(), m); err != nil {
					t.Fatalf("send %q: %v", m.Subject, err)
				}
			}
			got := srv.received()
			if len(got) != len(msgs) {
				t.Fatalf("server received %d messages, want %d", len(got), len(msgs))
			}
			for i, m := range msgs {
				if got[i].tls != tc.wantTLS {
					t.Errorf("message %d arrived with TLS %v, want %v", i, got[i].tls, tc.wantTLS)
				}
				if got[i].user != tc.user {
					t.Errorf("message %d sent by user %q, want %q", i, got[i].user, tc.user)
				}
				checkDelivered(t, got[i], m)
			}
		})
	}
}

var (
	textLinkPattern = regexp.MustCompile(`https?://\S+`)
	hrefPattern     = regexp.MustCompile(`href="([^"]*)"`)
	messageIDFormat = regexp.MustCompile(`^<[a-z0-9]{20,}@tokenim\.example>$`)
)

// checkDelivered parses what the server received as a mail reader would
// and checks it says what m says.
func checkDelivered(t *testing.T, got received, m Message) {
	t.Helper()
	for n, line := range bytes.Split(got.data, []byte("\r\n")) {
		if len(line) > 78 {
			t.Errorf("line %d is %d bytes long, more than RFC 5322 section 2.1.1 recommends: %q", n+1, len(line), line)
		}
		if !utf8.Valid(line) || bytes.ContainsFunc(line, func(r rune) bool { return r > 127 }) {
			t.Errorf("line %d is not 7-bit ASCII: %q", n+1, line)
		}
	}
	// The test is only worth something if the link crossed a soft line
	// break on the way.
	if bytes.Contains(got.data, []byte(strings.ReplaceAll(testLink, "=", "=3D"))) {
		t.Errorf("the link travelled on one line: quoted-printable decoding was not exercised")
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatalf("parse received message: %v\n%s", err, got.data)
	}
	h := msg.Header

	wantFrom, _ := netmail.ParseAddress(testFrom)
	wantTo, _ := netmail.ParseAddress(m.To)
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || *from[0] != *wantFrom {
		t.Errorf("From %q (%v), want %v", h.Get("From"), err, wantFrom)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != wantTo.Address {
		t.Errorf("To %q (%v), want %v", h.Get("To"), err, wantTo)
	}
	if got.from != wantFrom.Address || !slices.Equal(got.to, []string{wantTo.Address}) {
		t.Errorf("envelope from %q to %q, want from %q to %q", got.from, got.to, wantFrom.Address, wantTo.Address)
	}

	raw := h.Get("Subject")
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || subject != m.Subject {
		t.Errorf("Subject %q decodes to %q (%v), want %q", raw, subject, err, m.Subject)
	}
	if date, err := h.Date(); err != nil || !date.Equal(testNow) {
		t.Errorf("Date %q (%v), want %s", h.Get("Date"), err, testNow)
	}
	if id := h.Get("Message-Id"); !messageIDFormat.MatchString(id) {
		t.Errorf("Message-ID %q, want a random id at the sender's domain", id)
	}
	if v := h.Get("Auto-Submitted"); v != "auto-generated" {
		t.Errorf("Auto-Submitted %q, want auto-generated", v)
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	var types []string
	bodies := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		partType, partParams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", p.Header.Get("Content-Type"), err)
		}
		if !strings.EqualFold(partParams["charset"], "utf-8") {
			t.Errorf("%s part has charset %q, want UTF-8", partType, partParams["charset"])
		}
		// multipart.Part undoes quoted-printable itself.
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read %s part: %v", partType, err)
		}
		if !utf8.Valid(body) {
			t.Errorf("%s part is not valid UTF-8", partType)
		}
		types = append(types, partType)
		bodies[partType] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	// RFC 2046 section 5.1.4: the last part is the preferred one.
	if want := []string{"text/plain", "text/html"}; !slices.Equal(types, want) {
		t.Fatalf("parts %q, want %q", types, want)
	}
	if bodies["text/plain"] != m.Text {
		t.Errorf("text part differs from the message's text:\n got %q\nwant %q", bodies["text/plain"], m.Text)
	}
	if bodies["text/html"] != m.HTML {
		t.Errorf("html part differs from the message's HTML")
	}
	checkLinks(t, bodies["text/plain"], bodies["text/html"], testLink)
}

// checkLinks follows the links of a text and an HTML body, as a reader
// would: every one must be the original link, whole.
func checkLinks(t *testing.T, text, htmlBody, link string) {
	t.Helper()
	found := textLinkPattern.FindAllString(text, -1)
	if len(found) == 0 {
		t.Errorf("the text body has no link")
	}
	for _, l := range found {
		if l != link {
			t.Errorf("the text body links to %q, want %q", l, link)
		}
	}
	hrefs := hrefPattern.FindAllStringSubmatch(htmlBody, -1)
	if len(hrefs) == 0 {
		t.Errorf("the HTML body has no link")
	}
	for _, m := range hrefs {
		if l := html.UnescapeString(m[1]); l != link {
			t.Errorf("the HTML body links to %q, want %q", l, link)
		}
	}
	if !strings.Contains(html.UnescapeString(htmlBody), link) {
		t.Errorf("the HTML body does not show the link as text")
	}
}

func TestSMTPSendFails(t *testing.T) {
	const password = "the-right-password"
	for _, tc := range []struct {
		name   string
		server serverOptions
		cfg    func(*testServer) SMTPConfig
		// wantInErr are parts of the error message.
		wantInErr []string
		// wantMail is whether MAIL FROM may reach the server: a refusal
		// before it proves nothing was sent in clear or unauthenticated.
		wantMail bool
	}{
		{
			name:   "a wrong password is refused",
			server: serverOptions{security: SecuritySTARTTLS, username: "relay-user", password: password},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, TLSConfig: s.clientTLS, Username: "relay-user", Password: "wrong-password"}
			},
			wantInErr: []string{"535"},
		},
		{
			name:   "a server requiring auth refuses a sender without credentials",
			server: serverOptions{security: SecuritySTARTTLS, username: "relay-user", password: password},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, TLSConfig: s.clientTLS}
			},
			wantInErr: []string{"authenticate"},
			wantMail:  true,
		},
		{
			name:   "starttls against a server that does not offer it fails instead of sending in clear",
			server: serverOptions{security: SecurityNone},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, Security: SecuritySTARTTLS}
			},
			wantInErr: []string{"STARTTLS"},
		},
		{
			name:   "starttls with a certificate the system does not trust fails",
			server: serverOptions{security: SecuritySTARTTLS},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, Security: SecuritySTARTTLS}
			},
			wantInErr: []string{"certificate"},
		},
		{
			name:   "implicit tls with a certificate the system does not trust fails",
			server: serverOptions{security: SecurityTLS},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, Security: SecurityTLS}
			},
			wantInErr: []string{"certificate"},
		},
		{
			name:   "implicit tls against a plain server fails",
			server: serverOptions{security: SecurityNone},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, Security: SecurityTLS}
			},
			wantInErr: []string{"tls"},
		},
		{
			name:   "a refused message names the recipient and the server's answer, not the body",
			server: serverOptions{security: SecurityNone, rejectData: true},
			cfg: func(s *testServer) SMTPConfig {
				return SMTPConfig{Port: s.port, Security: SecurityNone}
			},
			wantInErr: []string{"554", "refused by policy"},
			wantMail:  true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.server)
			s := newTestSMTP(t, tc.cfg(srv))
			m := testMessages(t)[1]
			err := s.Send(t.Context(), m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			t.Logf("error: %v", err)
			msg := err.Error()
			for _, want := range append([]string{"mail: send to " + m.To + ":"}, tc.wantInErr...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			for _, secret := range []string{testLink, "Zm9vYmFy", password, "wrong-password"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q contains %q", msg, secret)
				}
			}
			if firstLine, _, _ := strings.Cut(m.Text, "\n"); strings.Contains(msg, firstLine) {
				t.Errorf("error %q contains the body", msg)
			}
			if _, ok := errors.AsType[*gomail.SendError](err); ok {
				t.Errorf("the error holds go-mail's SendError, which carries the whole message")
			}
			if got := srv.received(); len(got) != 0 {
				t.Errorf("the server accepted %d messages", len(got))
			}
			if n := srv.mailCommands(); !tc.wantMail && n != 0 {
				t.Errorf("the client got as far as MAIL FROM (%d times)", n)
			}
		})
	}
}

func TestSMTPSendHonoursContext(t *testing.T) {
	for _, tc := range []struct {
		name     string
		security string
		timeout  time.Duration // SMTPConfig.Timeout
		ctx      func(t *testing.T) context.Context
		want     error
	}{
		{
			name: "a deadline ends a send to a silent server", security: SecurityNone, timeout: time.Minute,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			want: context.DeadlineExceeded,
		},
		{
			name: "a deadline ends a TLS handshake with a silent server", security: SecurityTLS, timeout: time.Minute,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			want: context.DeadlineExceeded,
		},
		{
			name: "cancellation ends a send to a silent server", security: SecuritySTARTTLS, timeout: time.Minute,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				time.AfterFunc(100*time.Millisecond, cancel)
				t.Cleanup(cancel)
				return ctx
			},
			want: context.Canceled,
		},
		{
			name: "the configured timeout ends a send without a deadline", security: SecurityNone, timeout: 100 * time.Millisecond,
			ctx:  func(t *testing.T) context.Context { return context.WithoutCancel(t.Context()) },
			want: context.DeadlineExceeded,
		},
		{
			name: "a cancelled context sends nothing", security: SecurityNone, timeout: time.Minute,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			},
			want: context.Canceled,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := startSilentServer(t)
			s := newTestSMTP(t, SMTPConfig{Port: port, Security: tc.security, Timeout: tc.timeout})
			done := make(chan error, 1)
			go func() { done <- s.Send(tc.ctx(t), testMessages(t)[0]) }()
			// The send is abandoned after about 100ms; a client that only
			// gave up on its own one-minute timeout would be far past this.
			select {
			case err := <-done:
				t.Logf("error: %v", err)
				if !errors.Is(err, tc.want) {
					t.Fatalf("Send returned %v, want %v", err, tc.want)
				}
				if !strings.HasPrefix(err.Error(), "mail: send to ") {
					t.Errorf("error %q is not wrapped", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Send did not return after its context ended")
			}
		})
	}
}

func TestNewSMTPRefusesBadConfig(t *testing.T) {
	good := SMTPConfig{Host: "smtp.tokenim.example", Port: 587, From: testFrom}
	for _, tc := range []struct {
		name   string
		change func(*SMTPConfig)
		want   []string // one per problem, each naming its field
	}{
		{"no host", func(c *SMTPConfig) { c.Host = "" }, []string{"smtp.host: required"}},
		{"port zero", func(c *SMTPConfig) { c.Port = 0 }, []string{"smtp.port: 0 is not between 1 and 65535"}},
		{"port too large", func(c *SMTPConfig) { c.Port = 65536 }, []string{"smtp.port: 65536 is not"}},
		{"from without an address", func(c *SMTPConfig) { c.From = "TokenIM" }, []string{`smtp.from: "TokenIM" is not an email address`}},
		{"from with two addresses", func(c *SMTPConfig) { c.From = "a@tokenim.example, b@tokenim.example" }, []string{"smtp.from:"}},
		{"unknown security", func(c *SMTPConfig) { c.Security = "ssl" }, []string{`smtp.security: "ssl" is not one of starttls, tls, none`}},
		{
			"a password in clear to a remote host",
			func(c *SMTPConfig) { c.Security, c.Username, c.Password = SecurityNone, "u", "p" },
			[]string{`smtp.security: "none" would send the password in clear to smtp.tokenim.example`},
		},
		{"a password without a username", func(c *SMTPConfig) { c.Password = "p" }, []string{"smtp.password: set without a username"}},
		{"a negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }, []string{"smtp.timeout: -1s is negative"}},
		{
			"every problem at once",
			func(c *SMTPConfig) { *c = SMTPConfig{Security: "bogus", Timeout: -1} },
			[]string{"smtp.host:", "smtp.port:", "smtp.from:", "smtp.security:", "smtp.timeout:"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			s, err := NewSMTP(cfg)
			if err == nil {
				t.Fatalf("NewSMTP accepted %+v", cfg)
			}
			if s != nil {
				t.Errorf("NewSMTP returned a sender with its error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("%d problems reported, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), "mail: "+want) {
					t.Errorf("error %q does not contain %q", err, "mail: "+want)
				}
			}
		})
	}
}

func TestNewSMTPAcceptsGoodConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SMTPConfig
	}{
		{"starttls by default", SMTPConfig{Host: "smtp.tokenim.example", Port: 587, From: "no-reply@tokenim.example"}},
		{"implicit tls with credentials", SMTPConfig{Host: "smtp.tokenim.example", Port: 465, From: testFrom, Security: SecurityTLS, Username: "u", Password: "p"}},
		{"a local relay in clear with credentials", SMTPConfig{Host: "127.0.0.1", Port: 25, From: testFrom, Security: SecurityNone, Username: "u", Password: "p"}},
		{"a local relay in clear without credentials", SMTPConfig{Host: "relay.internal", Port: 25, From: testFrom, Security: SecurityNone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSMTP(tc.cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSMTPSendRefusesBadMessages checks that a message no server would
// take fails before any connection is made: the port has no server.
func TestSMTPSendRefusesBadMessages(t *testing.T) {
	s := newTestSMTP(t, SMTPConfig{Port: 1, Security: SecurityNone})
	good := testMessages(t)[0]
	for _, tc := range []struct {
		name   string
		change func(*Message)
		want   string
	}{
		{"no recipient", func(m *Message) { m.To = "" }, "recipient"},
		{"a recipient with a header injected", func(m *Message) { m.To = "ann@example.com\r\nBcc: eve@example.com" }, "recipient"},
		{"no subject", func(m *Message) { m.Subject = "" }, "no subject"},
		{"no text body", func(m *Message) { m.Text = "" }, "no text body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := good
			tc.change(&m)
			err := s.Send(t.Context(), m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Send returned %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestSMTPSendTextOnly checks that a message without HTML goes as a
// single text/plain part.
func TestSMTPSendTextOnly(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone})
	s := newTestSMTP(t, SMTPConfig{Port: srv.port, Security: SecurityNone})
	m := Message{To: "ann@example.com", Subject: "Hello", Text: "Open " + testLink + "\n"}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	msg, err := netmail.ReadMessage(bufio.NewReader(bytes.NewReader(got[0].data)))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "text/plain" {
		t.Fatalf("Content-Type %q, want text/plain", msg.Header.Get("Content-Type"))
	}
}
