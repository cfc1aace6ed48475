package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// upstreamSession is a sample session signed in through connector as
// subject there, in the upstream's session sid.
func upstreamSession(id, userID string, created time.Time, connector, subject, sid string) storage.LoginSession {
	ls := sampleSession(id, userID, created)
	ls.AMR, ls.ACR = []string{"fed"}, "1"
	ls.Upstream, ls.UpstreamSubject, ls.UpstreamSID = connector, subject, sid
	return ls
}

// storedOrInvalid accepts what a backend does with text it may not be
// able to hold: keep it (the memory backend), or refuse it as
// storage.ErrInvalidInput (Postgres), never another error.
func storedOrInvalid(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil && !errors.Is(err, storage.ErrInvalidInput) {
		t.Fatalf("%s: got error %v, want none or %v", what, err, storage.ErrInvalidInput)
	}
}

// readsBack checks that the session want, the one session of its user,
// reads back as it was stored, alone and listed, and returns what the
// store gave.
func readsBack(t *testing.T, s storage.Store, want storage.LoginSession) storage.LoginSession {
	t.Helper()
	got, err := s.GetLoginSession(t.Context(), want.ID)
	must(t, err, "get")
	same(t, "session", got, want)
	list, err := s.ListLoginSessions(t.Context(), want.UserID)
	must(t, err, "list")
	same(t, "listed sessions", list, []storage.LoginSession{want})
	return got
}

func upstreamSessionTests() []test {
	return []test{
		{"a session keeps the upstream it was signed in through", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := upstreamSession("sess-1", "u1", at(0), "corp", "alice-42", "op-session-7")
			must(t, s.CreateLoginSession(t.Context(), want), "create")
			readsBack(t, s, want)
		}},
		{"an upstream's logout finds the sessions it names", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			sessions := []storage.LoginSession{
				upstreamSession("a-sid-a", "u1", at(0), "corp", "alice", "sid-a"),
				upstreamSession("a-sid-b", "u1", at(time.Hour), "corp", "alice", "sid-b"),
				upstreamSession("a-no-sid", "u1", at(2*time.Hour), "corp", "alice", ""),
				upstreamSession("a-other", "u1", at(0), "other", "alice", "sid-a"),
				sampleSession("a-own", "u1", at(0)),
				upstreamSession("b-sid-c", "u2", at(0), "corp", "bob", "sid-c"),
			}
			for _, ls := range sessions {
				must(t, s.CreateLoginSession(t.Context(), ls), "create "+ls.ID)
			}
			for _, tc := range []struct {
				name                    string
				connector, subject, sid string
				want                    []string
			}{
				{"a subject alone: all its sessions through the connector, newest first", "corp", "alice", "", []string{"a-no-sid", "a-sid-b", "a-sid-a"}},
				{"a sid alone: that session", "corp", "", "sid-a", []string{"a-sid-a"}},
				{"a sid with its subject", "corp", "alice", "sid-b", []string{"a-sid-b"}},
				{"a sid with another subject", "corp", "bob", "sid-a", nil},
				{"another connector's subject", "other", "alice", "", []string{"a-other"}},
				{"a subject the connector never signed in", "corp", "carol", "", nil},
				{"neither subject nor sid", "corp", "", "", nil},
				{"no connector: never our own sign-ins", "", "", "", nil},
				{"no connector with a subject", "", "alice", "", nil},
			} {
				got, err := s.ListUpstreamSessions(t.Context(), tc.connector, tc.subject, tc.sid)
				must(t, err, tc.name)
				var ids []string
				for _, ls := range got {
					ids = append(ids, ls.ID)
				}
				same(t, tc.name, ids, tc.want)
			}
			// What a listed session holds is what was stored.
			got, err := s.ListUpstreamSessions(t.Context(), "corp", "bob", "sid-c")
			must(t, err, "list bob's")
			same(t, "bob's session", got, []storage.LoginSession{sessions[5]})
			// An ended session is no longer found.
			must(t, s.DeleteLoginSession(t.Context(), "a-sid-a"), "delete")
			got, err = s.ListUpstreamSessions(t.Context(), "corp", "", "sid-a")
			must(t, err, "list after delete")
			same(t, "after delete", got, []storage.LoginSession(nil))
		}},
		{"a session keeps the upstream's methods apart from ours", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := upstreamSession("sess-1", "u1", at(0), "corp", "alice-42", "op-session-7")
			want.UpstreamAMR = []string{"pwd", "mfa"}
			stored := want.Clone()
			must(t, s.CreateLoginSession(t.Context(), stored), "create")
			// The store keeps its own copy: the caller's slice changing
			// afterwards changes nothing stored.
			stored.UpstreamAMR[0] = "otp"
			got := readsBack(t, s, want)
			list, err := s.ListUpstreamSessions(t.Context(), "corp", "alice-42", "")
			must(t, err, "list the upstream's")
			same(t, "the upstream's sessions", list, []storage.LoginSession{want})
			// What a reader is handed is a copy too.
			got.UpstreamAMR[1] = "otp"
			again, err := s.GetLoginSession(t.Context(), "sess-1")
			must(t, err, "get again")
			same(t, "session read again", again, want)
		}},
		{"a session of our own, or from an upstream that said nothing, has no upstream methods", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			for _, ls := range []storage.LoginSession{
				sampleSession("own", "u1", at(0)),
				upstreamSession("silent", "u1", at(time.Hour), "corp", "alice", "sid-1"),
			} {
				must(t, s.CreateLoginSession(t.Context(), ls), "create "+ls.ID)
				got, err := s.GetLoginSession(t.Context(), ls.ID)
				must(t, err, "get "+ls.ID)
				if len(got.UpstreamAMR) != 0 {
					t.Errorf("session %s has upstream methods %q", ls.ID, got.UpstreamAMR)
				}
			}
		}},
		{"upstream text a backend cannot hold is invalid input, not a failure", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			_, err := s.ListUpstreamSessions(t.Context(), "corp", "ali\x00ce", "")
			storedOrInvalid(t, err, "list by a subject with a NUL")
			_, err = s.ListUpstreamSessions(t.Context(), "corp", "", "sid-\xff")
			storedOrInvalid(t, err, "list by a sid that is not UTF-8")
			_, err = s.ListUpstreamSessions(t.Context(), "co\x00rp", "alice", "sid\xe4\xb8")
			storedOrInvalid(t, err, "list by a connector with a NUL")
			err = s.CreateLoginSession(t.Context(), upstreamSession("sess-1", "u1", at(0), "corp", "alice", "sid\x00"))
			storedOrInvalid(t, err, "create with a sid holding a NUL")
			err = s.CreateLoginSession(t.Context(), upstreamSession("sess-2", "u1", at(0), "corp", "\xffalice", "sid"))
			storedOrInvalid(t, err, "create with a subject that is not UTF-8")
			withNUL := upstreamSession("sess-3", "u1", at(0), "corp", "alice", "sid")
			withNUL.UpstreamAMR = []string{"pwd", "m\x00fa"}
			storedOrInvalid(t, s.CreateLoginSession(t.Context(), withNUL), "create with an upstream method holding a NUL")
			notUTF8 := upstreamSession("sess-4", "u1", at(0), "corp", "alice", "sid")
			notUTF8.UpstreamAMR = []string{"\xffpwd"}
			storedOrInvalid(t, s.CreateLoginSession(t.Context(), notUTF8), "create with an upstream method that is not UTF-8")
		}},
	}
}
