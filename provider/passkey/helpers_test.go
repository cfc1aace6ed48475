package passkey_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
)

func containsExcluded(t *testing.T, publicKey any, id []byte) bool {
	t.Helper()
	b, _ := json.Marshal(publicKey)
	var o struct {
		Exclude []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	for _, e := range o.Exclude {
		if got, _ := base64.RawURLEncoding.DecodeString(e.ID); slices.Equal(got, id) {
			return true
		}
	}
	return false
}

func credID(t *testing.T, resp []byte) []byte {
	t.Helper()
	var r struct {
		RawID string `json:"rawId"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	id, err := base64.RawURLEncoding.DecodeString(r.RawID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
