package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func userTests() []test {
	return []test{
		{"created user reads back by ID and by email in any case", func(t *testing.T, s storage.Store) {
			want := seedUser(t, s, "u1", "Ann.Lee@Example.com")
			got, err := s.GetUser(t.Context(), "u1")
			must(t, err, "get")
			same(t, "user", got, want)
			got, err = s.GetUserByEmail(t.Context(), "ann.lee@example.COM")
			must(t, err, "get by email")
			same(t, "user by email", got, want)
		}},
		{"TOTP enrolment and recovery codes are stored with the user", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			_, err := s.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
				u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep = []byte("sealed-secret"), true, 59000123
				u.RecoveryCodes = [][]byte{[]byte("hash-1"), []byte("hash-2")}
				return u, nil
			})
			must(t, err, "update")
			got, err := s.GetUser(t.Context(), "u1")
			must(t, err, "get")
			want := sampleUser("u1", "ann@example.com")
			want.TOTPSecret, want.TOTPEnabled, want.TOTPLastStep = []byte("sealed-secret"), true, 59000123
			want.RecoveryCodes = [][]byte{[]byte("hash-1"), []byte("hash-2")}
			same(t, "user", got, want)
			got.RecoveryCodes[0][0] = 'X'
			again, _ := s.GetUserByEmail(t.Context(), "ann@example.com")
			same(t, "user by email", again, want)
			_, err = s.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
				u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = nil, false, 0, nil
				return u, nil
			})
			must(t, err, "disable")
			got, _ = s.GetUser(t.Context(), "u1")
			same(t, "user without MFA", got, sampleUser("u1", "ann@example.com"))
		}},
		{"the role is stored, and an empty role is member", func(t *testing.T, s storage.Store) {
			admin := sampleUser("u1", "ann@example.com")
			admin.Role = "admin"
			must(t, s.CreateUser(t.Context(), admin), "create admin")
			plain := sampleUser("u2", "bob@example.com")
			plain.Role = ""
			must(t, s.CreateUser(t.Context(), plain), "create without a role")
			if got, _ := s.GetUser(t.Context(), "u1"); got.Role != "admin" {
				t.Fatalf("role %q, want admin", got.Role)
			}
			if got, _ := s.GetUser(t.Context(), "u2"); got.Role != "member" {
				t.Fatalf("role %q, want member", got.Role)
			}
			_, err := s.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
				u.Role = "guest"
				return u, nil
			})
			must(t, err, "change role")
			if got, _ := s.GetUserByEmail(t.Context(), "ann@example.com"); got.Role != "guest" {
				t.Fatalf("role %q after the change, want guest", got.Role)
			}
		}},
		{"email taken in another case is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			mustBe(t, s.CreateUser(t.Context(), sampleUser("u2", "ANN@example.com")), storage.ErrAlreadyExists, "create")
		}},
		{"duplicate user ID is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			mustBe(t, s.CreateUser(t.Context(), sampleUser("u1", "bob@example.com")), storage.ErrAlreadyExists, "create")
		}},
		{"unknown user is ErrNotFound by ID and by email", func(t *testing.T, s storage.Store) {
			_, err := s.GetUser(t.Context(), "nobody")
			mustBe(t, err, storage.ErrNotFound, "get")
			_, err = s.GetUserByEmail(t.Context(), "nobody@example.com")
			mustBe(t, err, storage.ErrNotFound, "get by email")
		}},
		{"users are listed by email, a page at a time", func(t *testing.T, s storage.Store) {
			for i, e := range []string{"dan@x.io", "Bob@x.io", "eve@x.io", "ann@x.io", "cat@x.io"} {
				seedUser(t, s, fmt.Sprintf("u%d", i), e)
			}
			first, err := s.ListUsers(t.Context(), storage.Page{Limit: 2})
			must(t, err, "first page")
			second, err := s.ListUsers(t.Context(), storage.Page{After: "bob@x.io", Limit: 2})
			must(t, err, "second page")
			last, err := s.ListUsers(t.Context(), storage.Page{After: "dan@x.io", Limit: 2})
			must(t, err, "last page")
			emails := func(us []storage.User) []string {
				var out []string
				for _, u := range us {
					out = append(out, u.Email)
				}
				return out
			}
			same(t, "first page", emails(first), []string{"ann@x.io", "Bob@x.io"})
			same(t, "second page", emails(second), []string{"cat@x.io", "dan@x.io"})
			same(t, "last page", emails(last), []string{"eve@x.io"})
			all, _ := s.ListUsers(t.Context(), storage.Page{})
			if len(all) != 5 {
				t.Fatalf("default page has %d users, want 5", len(all))
			}
		}},
		{"update changes fields and email", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			_, err := s.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
				u.Email = "ann.new@example.com"
				u.Status = storage.UserDisabled
				u.UpdatedAt = at(time.Hour)
				return u, nil
			})
			must(t, err, "update")
			got, err := s.GetUserByEmail(t.Context(), "ANN.NEW@example.com")
			must(t, err, "get by new email")
			if got.Status != storage.UserDisabled || !got.UpdatedAt.Equal(at(time.Hour)) {
				t.Fatalf("update not stored: %+v", got)
			}
			_, err = s.GetUserByEmail(t.Context(), "ann@example.com")
			mustBe(t, err, storage.ErrNotFound, "old email")
		}},
		{"update to another user's email is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			_, err := s.UpdateUser(t.Context(), "u2", func(u storage.User) (storage.User, error) {
				u.Email = "Ann@example.com"
				return u, nil
			})
			mustBe(t, err, storage.ErrAlreadyExists, "update")
			got, _ := s.GetUser(t.Context(), "u2")
			if got.Email != "bob@example.com" {
				t.Fatalf("email changed to %q despite the error", got.Email)
			}
		}},
		{"update of unknown user is ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.UpdateUser(t.Context(), "nobody", func(u storage.User) (storage.User, error) { return u, nil })
			mustBe(t, err, storage.ErrNotFound, "update")
		}},
	}
}

func sampleSession(id, userID string, created time.Time) storage.LoginSession {
	return storage.LoginSession{
		ID: id, UserID: userID, AuthTime: created, AMR: []string{"pwd"}, ACR: "1",
		UserAgent: "TokenIM Desktop/3.2", IP: "203.0.113.7",
		CreatedAt: created, ExpiresAt: created.Add(24 * time.Hour),
	}
}

func sessionTests() []test {
	return []test{
		{"created session reads back", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := sampleSession("sess-1", "u1", at(0))
			must(t, s.CreateLoginSession(t.Context(), want), "create")
			got, err := s.GetLoginSession(t.Context(), "sess-1")
			must(t, err, "get")
			same(t, "session", got, want)
		}},
		{"session of unknown user is ErrNotFound", func(t *testing.T, s storage.Store) {
			mustBe(t, s.CreateLoginSession(t.Context(), sampleSession("sess-1", "nobody", at(0))), storage.ErrNotFound, "create")
		}},
		{"duplicate session ID is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			must(t, s.CreateLoginSession(t.Context(), sampleSession("sess-1", "u1", at(0))), "create")
			mustBe(t, s.CreateLoginSession(t.Context(), sampleSession("sess-1", "u1", at(time.Hour))), storage.ErrAlreadyExists, "second create")
		}},
		{"a user's sessions are listed newest first", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			for _, ls := range []storage.LoginSession{
				sampleSession("s-old", "u1", at(0)),
				sampleSession("s-new", "u1", at(2*time.Hour)),
				sampleSession("s-mid", "u1", at(time.Hour)),
			} {
				must(t, s.CreateLoginSession(t.Context(), ls), "create "+ls.ID)
			}
			must(t, s.CreateLoginSession(t.Context(), sampleSession("s-bob", "u2", at(0))), "create bob's")
			got, err := s.ListLoginSessions(t.Context(), "u1")
			must(t, err, "list")
			var ids []string
			for _, ls := range got {
				ids = append(ids, ls.ID)
			}
			same(t, "session order", ids, []string{"s-new", "s-mid", "s-old"})
		}},
		{"delete removes one session", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			must(t, s.CreateLoginSession(t.Context(), sampleSession("sess-1", "u1", at(0))), "create")
			must(t, s.DeleteLoginSession(t.Context(), "sess-1"), "delete")
			_, err := s.GetLoginSession(t.Context(), "sess-1")
			mustBe(t, err, storage.ErrNotFound, "get deleted")
			mustBe(t, s.DeleteLoginSession(t.Context(), "sess-1"), storage.ErrNotFound, "second delete")
		}},
		{"sign out everywhere removes only that user's sessions", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			for _, id := range []string{"a1", "a2", "a3"} {
				must(t, s.CreateLoginSession(t.Context(), sampleSession(id, "u1", at(0))), "create "+id)
			}
			must(t, s.CreateLoginSession(t.Context(), sampleSession("b1", "u2", at(0))), "create b1")
			n, err := s.DeleteUserLoginSessions(t.Context(), "u1")
			must(t, err, "delete all")
			if n != 3 {
				t.Fatalf("deleted %d sessions, want 3", n)
			}
			left, _ := s.ListLoginSessions(t.Context(), "u1")
			if len(left) != 0 {
				t.Fatalf("%d sessions left", len(left))
			}
			_, err = s.GetLoginSession(t.Context(), "b1")
			must(t, err, "other user's session survives")
		}},
	}
}

func flowTests() []test {
	flow := func(id string) storage.Flow {
		return storage.Flow{
			ID: id, ClientID: "app",
			Query:     "client_id=app&response_type=code&scope=openid&state=xyz",
			CreatedAt: at(0), ExpiresAt: at(15 * time.Minute),
		}
	}
	return []test{
		{"created flow reads back", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			want := flow("f1")
			must(t, s.CreateFlow(t.Context(), want), "create")
			got, err := s.GetFlow(t.Context(), "f1")
			must(t, err, "get")
			same(t, "flow", got, want)
		}},
		{"flow of unknown client is ErrNotFound", func(t *testing.T, s storage.Store) {
			mustBe(t, s.CreateFlow(t.Context(), flow("f1")), storage.ErrNotFound, "create")
		}},
		{"duplicate flow ID is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateFlow(t.Context(), flow("f1")), "create")
			mustBe(t, s.CreateFlow(t.Context(), flow("f1")), storage.ErrAlreadyExists, "second create")
		}},
		{"update records the sign-in", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateFlow(t.Context(), flow("f1")), "create")
			_, err := s.UpdateFlow(t.Context(), "f1", func(f storage.Flow) (storage.Flow, error) {
				f.UserID = "u1"
				f.AuthTime = at(time.Minute)
				f.AMR = []string{"pwd", "otp"}
				return f, nil
			})
			must(t, err, "update")
			got, _ := s.GetFlow(t.Context(), "f1")
			want := flow("f1")
			want.UserID, want.AuthTime, want.AMR = "u1", at(time.Minute), []string{"pwd", "otp"}
			same(t, "flow", got, want)
		}},
		{"update records the consent decision", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateFlow(t.Context(), flow("f1")), "create")
			_, err := s.UpdateFlow(t.Context(), "f1", func(f storage.Flow) (storage.Flow, error) {
				f.UserID, f.Decision, f.GrantedScopes = "u1", "allow", []string{"openid", "im:messages.read"}
				return f, nil
			})
			must(t, err, "update")
			got, _ := s.GetFlow(t.Context(), "f1")
			want := flow("f1")
			want.UserID, want.Decision, want.GrantedScopes = "u1", "allow", []string{"openid", "im:messages.read"}
			same(t, "flow", got, want)
		}},
		{"update and get of unknown flow are ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.GetFlow(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get")
			_, err = s.UpdateFlow(t.Context(), "nope", func(f storage.Flow) (storage.Flow, error) { return f, nil })
			mustBe(t, err, storage.ErrNotFound, "update")
		}},
		{"a flow can be finished only once", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			must(t, s.CreateFlow(t.Context(), flow("f1")), "create")
			must(t, s.DeleteFlow(t.Context(), "f1"), "delete")
			mustBe(t, s.DeleteFlow(t.Context(), "f1"), storage.ErrNotFound, "second delete")
		}},
	}
}
