package mail

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// TestCatalogueIsComplete checks every message has both texts with the
// same number of arguments: the sample renders of NewComposer would miss
// a message no template uses yet.
func TestCatalogueIsComplete(t *testing.T) {
	for key, m := range messages() {
		if m.EN == "" || m.ZH == "" {
			t.Errorf("message %q lacks a text: %+v", key, m)
		}
		if i18n.Verbs(m.EN) != i18n.Verbs(m.ZH) {
			t.Errorf("message %q takes %d arguments in English and %d in Chinese", key, i18n.Verbs(m.EN), i18n.Verbs(m.ZH))
		}
	}
}
