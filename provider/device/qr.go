package device

import (
	"net/http"

	qr "github.com/piglig/go-qr"

	"github.com/tokenim/tokenim-auth/provider/devicecode"
)

// QR codes of verification_uri_complete, for a device to show: an IM
// desktop app signs in by letting the phone, already signed in, scan it.
// The image encodes only the provider's own page with a well-formed user
// code; nothing is looked up, so it tells nothing about the request.
const (
	// qrScale is the pixels per module of the PNG: a 37-module code with
	// its border is 41 × 8 = 328 pixels, sharp on a desktop screen.
	qrScale = 8
	// qrBorder is the quiet zone, in modules (ISO/IEC 18004 asks for 4).
	qrBorder = 4
)

func (h *Handler) qrPNG(w http.ResponseWriter, r *http.Request) {
	h.qr(w, r, "image/png", func(c *qr.QrCode) ([]byte, error) {
		return c.ToPNGBytes(qr.NewQrCodeImgConfig(qrScale, qrBorder))
	})
}

func (h *Handler) qrSVG(w http.ResponseWriter, r *http.Request) {
	h.qr(w, r, "image/svg+xml", func(c *qr.QrCode) ([]byte, error) {
		return c.ToSVGBytes(qr.NewQrCodeImgConfig(qrScale, qrBorder, qr.WithSVGXMLHeader(), qr.WithOptimalSVG()))
	})
}

// qr answers with the QR code of the verification page for ?user_code=,
// as render draws it; 400 for a missing or malformed code.
func (h *Handler) qr(w http.ResponseWriter, r *http.Request, contentType string, render func(*qr.QrCode) ([]byte, error)) {
	code, err := devicecode.Normalize(r.URL.Query().Get("user_code"))
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "user_code must be a user code from the device authorization endpoint, like BDFG-HJKL", http.StatusBadRequest)
		return
	}
	c, err := qr.EncodeText(devicecode.VerificationURI(h.cfg.Issuer, code), qr.Medium)
	var body []byte
	if err == nil {
		body, err = render(c)
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "device: draw QR code", "err", err)
		http.Error(w, "the QR code could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	// The SVG is shown as an image, never run as a document.
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	_, _ = w.Write(body)
}
