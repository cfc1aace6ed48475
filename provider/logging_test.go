package provider_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider"
)

func TestLogDurationsAsText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(provider.NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: provider.LogDurationsAsText})))
	logger.With("every", 90*time.Second).WithGroup("janitor").Info("janitor started", "interval", 10*time.Minute, "batch", 500)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	group, _ := rec["janitor"].(map[string]any)
	if rec["every"] != "1m30s" || group["interval"] != "10m0s" {
		t.Fatalf("durations are not written as Go durations: %s", buf.Bytes())
	}
	if group["batch"] != float64(500) {
		t.Fatalf("a number that is not a duration changed: %s", buf.Bytes())
	}
}
