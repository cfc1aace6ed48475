package session

import (
	"slices"
	"testing"
)

func TestAMRAndACR(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		methods []string
		amr     []string
		acr     string
	}{
		{"password", []string{"pwd"}, []string{"pwd"}, "1"},
		{"password and code", []string{"otp", "pwd"}, []string{"pwd", "otp", "mfa"}, "2"},
		{"passkey without verification", []string{"hwk", "user"}, []string{"hwk", "user"}, "1"},
		{"synced passkey with verification", []string{"swk", "user", "pin"}, []string{"swk", "user", "pin", "mfa"}, "3"},
		{"password and security key", []string{"pwd", "hwk", "user"}, []string{"pwd", "hwk", "user", "mfa"}, "3"},
		{"a method twice", []string{"pwd", "pwd"}, []string{"pwd"}, "1"},
		{"unknown method dropped", []string{"pwd", "sms"}, []string{"pwd"}, "1"},
		{"upstream sign-in", []string{"fed"}, []string{"fed"}, "1"},
		{"upstream sign-in and code", []string{"otp", "fed"}, []string{"fed", "otp", "mfa"}, "2"},
		{"upstream sign-in and security key", []string{"fed", "hwk", "user"}, []string{"fed", "hwk", "user", "mfa"}, "3"},
	} {
		amr := AMR(c.methods...)
		if !slices.Equal(amr, c.amr) {
			t.Errorf("%s: AMR(%q) = %q, want %q", c.name, c.methods, amr, c.amr)
		}
		if got := ACR(amr); got != c.acr {
			t.Errorf("%s: ACR(%q) = %q, want %q", c.name, amr, got, c.acr)
		}
	}
}

func TestWantedAndMeetsACR(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ values, want string }{
		{"", ""}, {"2", "2"}, {"3 2", "2"}, {"urn:other 3", "3"}, {"urn:other", ""}, {"1 3", "1"},
	} {
		if got := WantedACR(c.values); got != c.want {
			t.Errorf("WantedACR(%q) = %q, want %q", c.values, got, c.want)
		}
	}
	for _, c := range []struct {
		have, want string
		ok         bool
	}{
		{"1", "", true}, {"1", "2", false}, {"2", "2", true}, {"3", "2", true}, {"2", "3", false},
		{"", "1", false}, {"pending", "1", false}, {"", "", true},
	} {
		if got := MeetsACR(c.have, c.want); got != c.ok {
			t.Errorf("MeetsACR(%q, %q) = %v, want %v", c.have, c.want, got, c.ok)
		}
	}
	if Stronger("2", "3") != "3" || Stronger("3", "1") != "3" || Stronger("", "1") != "1" {
		t.Error("Stronger does not pick the higher level")
	}
}
