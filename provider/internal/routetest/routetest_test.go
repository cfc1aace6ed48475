package routetest

import (
	"net/http"
	"slices"
	"testing"
)

func TestDocumented(t *testing.T) {
	t.Parallel()
	got, err := Documented("testdata/doc.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/page", "GET /page", "POST /page"}; !slices.Equal(got, want) {
		t.Fatalf("Documented = %q, want %q", got, want)
	}
	if _, err := Documented("testdata/bad.go.txt"); err == nil {
		t.Fatal("a route line with a lower-case method was read")
	}
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	var r Recorder
	h := func(http.ResponseWriter, *http.Request) {}
	r.HandleFunc("POST /b", h)
	r.Handle("GET /a", http.HandlerFunc(h))
	if got, want := r.Patterns(), []string{"GET /a", "POST /b"}; !slices.Equal(got, want) {
		t.Fatalf("Patterns = %q, want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("registering a pattern twice did not panic")
		}
	}()
	r.Handle("GET /a", http.HandlerFunc(h))
}
