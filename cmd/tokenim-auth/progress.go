package main

import (
	"fmt"
	"io"
	"sync"
)

// progress shows a long command's progress on a terminal: one line on
// stderr, rewritten in place. Off a terminal it shows nothing. Whatever
// else goes to stderr meanwhile goes through its Write, which clears the
// line first.
type progress struct {
	stderr io.Writer
	// on is set on a terminal.
	on bool

	mu    sync.Mutex
	shown bool
}

// newProgress is a progress line on e's stderr, shown when e's stdout is
// a terminal and quiet is false.
func newProgress(e env, quiet bool) *progress {
	return &progress{stderr: e.stderr, on: !quiet && e.interactive()}
}

// show replaces the line with a new one.
func (p *progress) show(format string, args ...any) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, "\r\x1b[K"+format, args...)
	p.shown = true
}

// done clears the line, leaving the terminal for the command's result.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.stderr, "\r\x1b[K")
		p.shown = false
	}
}

// Write writes b to stderr below the line: it clears the line, which the
// next show draws again.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.stderr.Write(b)
}
