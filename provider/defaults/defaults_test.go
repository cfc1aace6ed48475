package defaults_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
)

func TestNow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	if got := defaults.Now(func() time.Time { return t0 })(); !got.Equal(t0) {
		t.Fatalf("an injected clock read %v; want %v", got, t0)
	}
	before := time.Now()
	if got := defaults.Now(nil)(); got.Before(before) || got.After(time.Now()) {
		t.Fatalf("the default clock read %v; want the real time", got)
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	defaults.Logger(l).Info("kept")
	if !bytes.Contains(buf.Bytes(), []byte("kept")) {
		t.Fatalf("an injected logger wrote %q; want the record", buf.String())
	}
	d := defaults.Logger(nil)
	if d == nil || d.Enabled(context.Background(), slog.LevelError) {
		t.Fatal("the default logger must exist and discard every record")
	}
}
