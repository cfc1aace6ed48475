package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions([]string{"-steady", "5s", "-rate", "50", "-outage", "3s", "-pause", "1s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.steady != 5*time.Second || o.rate != 50 || o.outage != 3*time.Second || o.pause != time.Second || o.workers != 8 || o.grace != time.Second {
		t.Errorf("options = %+v", o)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-rate", "0"}, "-rate must be more than 0"},
		{[]string{"-steady", "1s"}, "-steady must be at least 2s"},
		{[]string{"-outage", "0s"}, "-outage must be more than 0"},
		{[]string{"-pause", "-1s"}, "-pause must not be negative"},
		{[]string{"-workers", "0"}, "-workers must be at least 1"},
		{[]string{"extra"}, "unexpected argument extra"},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
	} {
		var stderr bytes.Buffer
		_, err := parseOptions(c.args, &stderr)
		if !errors.Is(err, testbed.ErrUsage) || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: %v, stderr %q; want a usage error saying %q", c.args, err, stderr.String(), c.want)
		}
	}
}
