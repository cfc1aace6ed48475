package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// minNodeMajor is the oldest Node.js the npm packages of the end-to-end
// tests run on (openid-client 6 needs 20).
const minNodeMajor = 20

// npmFolders holds a lock for each folder npmInstall installs in.
var npmFolders sync.Map

// npmInstall returns the absolute path of dir, a test's folder of npm
// packages, with its packages installed as its package-lock.json pins
// them: npm ci runs there when node_modules is missing or was installed
// from another lock file. Without Node.js 20 or later and npm the test is
// skipped, unless CI=true, where it fails. With -short the test is skipped.
func npmInstall(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Node.js and npm")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: Node.js %d or later and npm must be installed)", msg, minNodeMajor)
		}
		t.Skipf("%s (install Node.js %d or later with npm; set CI=true to make this fatal)", msg, minNodeMajor)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing("%s not found: %v", tool, err)
		}
	}
	out, err := exec.CommandContext(t.Context(), "node", "--version").Output()
	if err != nil {
		missing("node --version: %v", err)
	}
	version := strings.TrimSpace(string(out))
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
		missing("node %s is older than %d", version, minNodeMajor)
	}

	// Tests of one folder run side by side: one installs, the others wait
	// for it and find the stamp (two npm ci in one folder trip over each
	// other's node_modules).
	mu, _ := npmFolders.LoadOrStore(dir, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	// npm ci empties node_modules first, so the stamp never outlives the
	// packages it describes.
	stamp := filepath.Join(dir, "node_modules", ".package-lock.sha256")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return dir
	}
	npm := exec.CommandContext(t.Context(), "npm", "ci", "--no-audit", "--no-fund")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
