package ldap

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// slapd is Debian's OpenLDAP server, run by a test on a loopback port
// with the directory in testdata/seed.ldif.
type slapd struct {
	t    *testing.T
	bin  string
	conf string
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed when slapd has exited
}

// startSlapd seeds a directory in a temporary folder and starts slapd on
// it; it skips the test when slapd is not installed (fails with CI=true).
func startSlapd(t *testing.T) *slapd {
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
	if err := os.WriteFile(s.conf, []byte(strings.ReplaceAll(string(conf), "DIR", dir)), 0o600); err != nil {
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
	s.cmd = exec.Command(s.bin, "-f", s.conf, "-h", s.url, "-d", "8")
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
	for lines.Scan() {
		log = append(log, lines.Text())
		if strings.Contains(lines.Text(), "daemon: added") && strings.Contains(lines.Text(), "listener=0x") {
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
