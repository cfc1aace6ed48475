package testbed

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine is where a tool ran.
type Machine struct {
	// CPU is the processor's model name.
	CPU   string
	Cores int
	// Memory is the memory installed, in bytes; 0 when unknown.
	Memory int64
	// Go is the Go release the tokenim-auth binary was built with.
	Go string
}

// DescribeMachine describes this machine and the binary bin.
func DescribeMachine(bin string) (Machine, error) {
	m := Machine{CPU: runtime.GOARCH, Cores: runtime.NumCPU()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		m.CPU = procField(f, "model name", m.CPU)
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		// "MemTotal:       24558148 kB"
		kb, _ := strconv.ParseInt(strings.TrimSuffix(procField(f, "MemTotal", ""), " kB"), 10, 64)
		m.Memory = kb * 1024
		f.Close()
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return Machine{}, fmt.Errorf("read %s build info: %w", bin, err)
	}
	m.Go = bi.GoVersion
	return m, nil
}

// MemoryGiB is the memory in GiB, rounded, for a report.
func (m Machine) MemoryGiB() string {
	if m.Memory == 0 {
		return "? GiB"
	}
	return fmt.Sprintf("%.0f GiB", float64(m.Memory)/(1<<30))
}

// procField is the value of the first "key: value" line of a /proc file
// whose key is key, or otherwise.
func procField(r io.Reader, key, otherwise string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return otherwise
}
