package templates

import (
	"embed"
	"io/fs"
)

//go:embed *.html static
var files embed.FS

// FS returns the page templates (*.html at the root) and the static files
// (under static/). The file system is read-only and safe for concurrent use.
func FS() fs.FS { return files }
