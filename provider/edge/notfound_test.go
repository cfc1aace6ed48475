package edge

import "testing"

func TestAcceptsHTML(t *testing.T) {
	t.Parallel()
	for accept, want := range map[string]bool{
		"": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"*/*":                              true,
		"Text/HTML":                        true,
		"text/*;q=0.5":                     true,
		"application/json":                 false,
		"application/json, text/plain":     false,
		"text/html;q=0, application/json":  false,
		"text/html; q=0.0":                 false,
		"application/json, */*;q=0":        false,
		"application/json, text/html;q=.1": true,
	} {
		if got := acceptsHTML(accept); got != want {
			t.Errorf("acceptsHTML(%q) = %t, want %t", accept, got, want)
		}
	}
}
