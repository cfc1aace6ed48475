package revocations

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestEventOf(t *testing.T) {
	t.Run("an installation narrowed: every token of the app for the workspace", func(t *testing.T) {
		r := storage.AuditRecord{Seq: 7, Action: audit.InstallApproved, Outcome: audit.Success, Subject: "inst-1", ClientID: "bot", WorkspaceID: "w1",
			Detail: map[string]string{"dropped": "im:messages.send"}}
		if e, ok := eventOf(r); !ok || e.Kind != KindWorkspace || e.Subject != "" || e.ClientID != "bot" || e.WorkspaceID != "w1" {
			t.Errorf("event %+v (%v)", e, ok)
		}
	})
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rec := func(action, outcome string, detail map[string]string) storage.AuditRecord {
		return storage.AuditRecord{Seq: 7, Time: at, Action: action, Outcome: outcome, Subject: "u1", ClientID: "chat", WorkspaceID: "w1", Reason: "r", Detail: detail}
	}
	for _, c := range []struct {
		name string
		rec  storage.AuditRecord
		kind string // "" when no event
	}{
		{"an RFC 7009 revocation names the token family", rec(audit.TokenRevoked, audit.Success, map[string]string{"token_family": "f1"}), KindToken},
		{"a reused refresh token, recorded as a failure, revokes its family", rec(audit.RefreshReuse, audit.Failure, map[string]string{"token_family": "f1"}), KindToken},
		{"a withdrawn grant", rec(audit.ConsentWithdrawn, audit.Success, nil), KindGrant},
		{"a disabled user", rec(audit.UserDisabled, audit.Success, nil), KindSubject},
		{"a password reset", rec(audit.PasswordReset, audit.Success, nil), KindSubject},
		{"signed out everywhere", rec(audit.SignOutEverywhere, audit.Success, nil), KindSubject},
		{"MFA reset", rec(audit.MFAReset, audit.Success, nil), KindSubject},
		{"a role changed", rec(audit.RoleChanged, audit.Success, nil), KindSubject},
		{"a deleted app", rec(audit.AppDeleted, audit.Success, nil), KindClient},
		{"a member removed from a workspace", rec(audit.MemberRemoved, audit.Success, nil), KindWorkspace},
		{"a member leaving a workspace", rec(audit.MemberLeft, audit.Success, nil), KindWorkspace},
		{"a workspace deleted", rec(audit.WorkspaceDeleted, audit.Success, nil), KindWorkspace},
		{"a member suspended by the directory", rec(audit.SCIMUserSuspended, audit.Success, nil), KindWorkspace},
		{"a member removed by the directory", rec(audit.SCIMUserRemoved, audit.Success, nil), KindWorkspace},
		{"a member given another role in a workspace", rec(audit.MemberRoleChanged, audit.Success, nil), KindWorkspace},
		{"an app uninstalled", rec(audit.AppUninstalled, audit.Success, nil), KindWorkspace},

		{"an installation approved whole revokes nothing", rec(audit.InstallApproved, audit.Success, map[string]string{"dropped": ""}), ""},
		{"a disabled app", rec(audit.AppChanged, audit.Success, map[string]string{"disabled": "true"}), KindClient},
		{"an app renamed revokes nothing", rec(audit.AppChanged, audit.Success, map[string]string{"name": "x"}), ""},
		{"a sign-in revokes nothing", rec(audit.SignIn, audit.Success, nil), ""},
		{"a token issued revokes nothing", rec(audit.TokenIssued, audit.Success, nil), ""},
		{"a refused consent revokes nothing", rec(audit.ConsentWithdrawn, audit.Failure, nil), ""},
	} {
		e, ok := eventOf(c.rec)
		switch {
		case c.kind == "" && ok:
			t.Errorf("%s: event %+v, want none", c.name, e)
		case c.kind != "" && (!ok || e.Kind != c.kind || e.Seq != 7 || e.Subject != "u1" || e.ClientID != "chat" || !e.Time.Equal(at)):
			t.Errorf("%s: event %+v (%v), want kind %s", c.name, e, ok, c.kind)
		case c.kind == KindWorkspace && e.WorkspaceID != "w1":
			t.Errorf("%s: workspace %q", c.name, e.WorkspaceID)
		case c.kind == KindToken && e.TokenFamily != "f1":
			t.Errorf("%s: token family %q", c.name, e.TokenFamily)
		}
	}
}
