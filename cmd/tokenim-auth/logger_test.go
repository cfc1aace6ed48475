package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/config"
)

func TestLoggerWritesDurationsAsText(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			newLogger(config.Config{Log: config.Log{Level: "info", Format: format}}, &buf).
				Info("janitor started", "interval", 10*time.Minute)
			if !strings.Contains(buf.String(), "10m0s") || strings.Contains(buf.String(), "600000000000") {
				t.Fatalf("the interval is not written as 10m0s: %s", buf.String())
			}
		})
	}
}
