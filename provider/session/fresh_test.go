package session

import (
	"testing"
	"time"
)

func TestNeedsSignIn(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	hourAgo := now.Add(-time.Hour)
	for _, tc := range []struct {
		name        string
		prompt      []string
		maxAge      string
		resumed     bool
		authTime    time.Time
		requestedAt time.Time
		want        bool
	}{
		{"a signed-in user needs nothing more", nil, "", false, hourAgo, now, false},
		{"prompt=login on a new request asks again", []string{"login"}, "", false, now, now, true},
		{"prompt=login is satisfied by a sign-in during the request", []string{"login"}, "", true, now, now.Add(-time.Minute), false},
		{"prompt=login is not satisfied by a sign-in before the request", []string{"login"}, "", true, hourAgo, now.Add(-time.Minute), true},
		{"max_age longer than the session's age needs nothing", nil, "7200", false, hourAgo, now, false},
		{"max_age shorter than the session's age asks again", nil, "60", false, hourAgo, now, true},
		{"max_age=0 asks every time", nil, "0", false, now, now, true},
		{"max_age=0 is satisfied by a sign-in during the request", nil, "0", true, now, now.Add(-time.Second), false},
		{"a malformed max_age asks again", nil, "soon", false, hourAgo, now, true},
		{"a negative max_age asks again", nil, "-5", false, hourAgo, now, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NeedsSignIn(tc.prompt, tc.maxAge, tc.resumed, tc.authTime, tc.requestedAt, now); got != tc.want {
				t.Fatalf("NeedsSignIn = %v, want %v", got, tc.want)
			}
		})
	}
}
