package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticDir is where the static files live in the template file system;
// they are served under /static/.
const staticDir = "static"

// styleSheet is the style sheet every page links to.
const styleSheet = "style.css"

// asset is a static file held in memory with what its responses need.
type asset struct {
	data        []byte
	contentType string
	// version is a prefix of the content's SHA-256, in hex: the pages link
	// to /static/NAME?v=VERSION, and the ETag is derived from it.
	version string
	etag    string
}

func loadAssets(fsys fs.FS) (map[string]asset, error) {
	assets := map[string]asset{}
	err := fs.WalkDir(fsys, staticDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		version := hex.EncodeToString(sum[:8])
		name := strings.TrimPrefix(p, staticDir+"/")
		assets[name] = asset{data: data, contentType: contentType(name), version: version, etag: `"` + version + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read static files: %w", err)
	}
	return assets, nil
}

// contentType names a static file's media type from its extension. The
// common ones are fixed here so that the answer does not depend on the
// host's mime.types.
func contentType(name string) string {
	ext := path.Ext(name)
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Mount registers GET /static/, which serves the static files, and GET
// /lang, the language switcher (lang.go).
func (r *Renderer) Mount(mux Mux) {
	mux.HandleFunc("GET /static/", r.serveStatic)
	mux.HandleFunc("GET "+langPath, r.switchLanguage)
}

// serveStatic serves a static file from memory. A request carrying the
// file's current version (the URL the pages link to) may be cached for a
// year, as the URL changes whenever the file does; any other request must
// revalidate, which the ETag makes cheap. That keeps a browser from
// holding an old style sheet after an upgrade, or a new page's URL from
// being filled with an old file by a node not yet upgraded.
func (r *Renderer) serveStatic(w http.ResponseWriter, req *http.Request) {
	name := strings.TrimPrefix(req.URL.Path, "/static/")
	a, ok := r.assets[name]
	if !ok {
		http.NotFound(w, req)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", a.etag)
	if req.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(a.data))
}
