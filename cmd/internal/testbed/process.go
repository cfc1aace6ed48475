package testbed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Process is a child process a tool started: a node, a Redis server.
type Process struct {
	cmd *exec.Cmd
	// exited is closed when the process has exited, and then err says
	// how.
	exited chan struct{}
	err    error
	// ended: Stop or Kill was called.
	ended bool
}

// StartProcess starts cmd with its output appended to logFile, in a
// process group of its own: a Ctrl-C in the terminal reaches the tool
// alone, which then stops its children in order.
func StartProcess(cmd *exec.Cmd, logFile string) (*Process, error) {
	log, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	defer log.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = log, log
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err says how the process exited, once Exited is closed.
func (p *Process) Err() error { return p.err }

// Stop sends SIGTERM and waits for the process to exit, killing it after
// timeout. It returns how the process exited; stopping twice, or after
// Kill, does nothing.
func (p *Process) Stop(timeout time.Duration) error {
	if p.ended {
		return nil
	}
	p.ended = true
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.cmd.Path, err)
	}
	select {
	case <-p.exited:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within %s; killed", p.cmd.Path, timeout)
	}
}

// Kill sends SIGKILL, as a crash would, and waits until the process is
// gone.
func (p *Process) Kill() error {
	if p.ended {
		return nil
	}
	p.ended = true
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.cmd.Path, err)
	}
	<-p.exited
	return nil
}
