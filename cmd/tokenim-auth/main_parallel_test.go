package main

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestMain runs up to four tests per CPU at once unless -parallel says
// otherwise: the end-to-end tests spend their time waiting on loopback
// HTTP, Postgres, Redis and the provider's timers rather than on the CPU,
// so the default of one per CPU leaves the machine idle.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0))); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
