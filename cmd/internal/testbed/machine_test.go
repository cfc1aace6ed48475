package testbed

import (
	"strings"
	"testing"
)

func TestProcField(t *testing.T) {
	t.Parallel()
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nprocessor\t: 1\nmodel name\t: AMD EPYC\n"
	if got := procField(strings.NewReader(cpuinfo), "model name", "amd64"); got != "AMD EPYC" {
		t.Errorf("model name = %q, want AMD EPYC", got)
	}
	if got := procField(strings.NewReader("processor\t: 0\n"), "model name", "arm64"); got != "arm64" {
		t.Errorf("no model name: %q, want the fallback arm64", got)
	}
	meminfo := "MemTotal:       24558148 kB\nMemFree:        23000000 kB\n"
	if got := procField(strings.NewReader(meminfo), "MemTotal", ""); got != "24558148 kB" {
		t.Errorf("MemTotal = %q", got)
	}
}

func TestMemoryGiB(t *testing.T) {
	t.Parallel()
	if got := (Machine{Memory: 24558148 * 1024}).MemoryGiB(); got != "23 GiB" {
		t.Errorf("24558148 kB = %s, want 23 GiB", got)
	}
	if got := (Machine{}).MemoryGiB(); got != "? GiB" {
		t.Errorf("unknown memory = %s", got)
	}
}
