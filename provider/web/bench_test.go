package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tokenim/tokenim-auth/templates"
)

func BenchmarkChoose(b *testing.B) {
	c := newChooser()
	for b.Loop() {
		c.choose("", "", "fr-FR,fr;q=0.9,zh-TW;q=0.8,en;q=0.7")
	}
}

func BenchmarkConsent(b *testing.B) {
	r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r.SetScopes(testScopes())
	req := httptest.NewRequest(http.MethodGet, "/consent", nil)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	p := ConsentPage{
		CSRFToken: testCSRF, Flow: "flow-8c1d", ClientName: "Acme Chat", ClientID: "acme-chat",
		UserEmail: "ann@example.com", Scopes: []string{"openid", "im:messages.send", "im:calls.read"}, Remember: true,
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Consent(discardWriter{}, req, http.StatusOK, p); err != nil {
			b.Fatal(err)
		}
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(p []byte) (int, error) { return io.Discard.Write(p) }
func (discardWriter) WriteHeader(int)             {}
