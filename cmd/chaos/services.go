package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// serviceTimeout bounds a service's start and stop.
const serviceTimeout = 60 * time.Second

// postgres is a Postgres cluster of the run's own, in a temporary
// directory, listening on a free loopback port and on no Unix socket.
type postgres struct {
	// bin is the directory of initdb, pg_ctl and postgres.
	bin string
	// data is the cluster's directory, log its server log.
	data, log string
	addr      string
	// as is the user the server runs as: root may not run Postgres, so
	// root runs it as the postgres user; nil runs it as ourselves.
	as      *syscall.Credential
	running bool
}

// postgresBin finds the directory of initdb and pg_ctl: the newest
// /usr/lib/postgresql/*/bin (Debian's layout), or else PATH.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("pg_ctl")
	if err != nil {
		return "", fmt.Errorf("postgres: no pg_ctl in /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql): %w", err)
	}
	return filepath.Dir(p), nil
}

// newPostgres makes a cluster under dir (initdb) and starts it.
func newPostgres(ctx context.Context, dir string) (*postgres, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	addr, err := testbed.FreeAddr()
	if err != nil {
		return nil, err
	}
	p := &postgres{bin: bin, data: filepath.Join(dir, "pgdata"), log: filepath.Join(dir, "pglog", "postgres.log"), addr: addr}
	if err := p.prepare(dir); err != nil {
		return nil, err
	}
	if err := p.pg(ctx, "initdb", "-D", p.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, err
	}
	_, port, _ := strings.Cut(addr, ":")
	conf := fmt.Sprintf("\n# tokenim chaos\nlisten_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = ''\n", port)
	f, err := os.OpenFile(filepath.Join(p.data, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("postgres: configure: %w", err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: configure: %w", err)
	}
	return p, p.start(ctx)
}

// prepare makes the data and log directories, owned by the user the
// server runs as; dir itself stays private but may be passed through.
func (p *postgres) prepare(dir string) error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("postgres: running as root needs a postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		p.as = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
		if err := os.Chmod(dir, 0o711); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	for _, d := range []string{p.data, filepath.Dir(p.log)} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if p.as != nil {
			if err := os.Chown(d, int(p.as.Uid), int(p.as.Gid)); err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
		}
	}
	return nil
}

// pg runs one of Postgres's programs as the server's user.
func (p *postgres) pg(ctx context.Context, program string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(p.bin, program), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.as}
	cmd.Dir = filepath.Dir(p.data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgres: %s %s: %w\n%s", program, strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (p *postgres) start(ctx context.Context) error {
	p.running = true // a failed start may still leave a server to stop
	return p.pg(ctx, "pg_ctl", "-D", p.data, "-l", p.log, "-w", "-t", strconv.Itoa(int(serviceTimeout.Seconds())), "start")
}

// stop shuts the server down: mode "fast" ends the sessions and
// checkpoints, "immediate" is as a crash.
func (p *postgres) stop(ctx context.Context, mode string) error {
	err := p.pg(ctx, "pg_ctl", "-D", p.data, "-m", mode, "-w", "-t", strconv.Itoa(int(serviceTimeout.Seconds())), "stop")
	if err == nil {
		p.running = false
	}
	return err
}

// close stops the server, if it runs, on the way out.
func (p *postgres) close() error {
	if !p.running {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), serviceTimeout)
	defer cancel()
	return p.stop(ctx, "immediate")
}

// url is the database URL the nodes use.
func (p *postgres) url() string {
	return "postgres://postgres@" + p.addr + "/postgres?sslmode=disable"
}

// ping connects and asks the server a question.
func (p *postgres) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.url())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

// version is the server's version, "15.20".
func (p *postgres) version(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, p.url())
	if err != nil {
		return "", fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "", fmt.Errorf("postgres: server version: %w", err)
	}
	v, _, _ = strings.Cut(v, " ")
	return v, nil
}

// redisServer is a Redis server of the run's own: no snapshots, no
// append-only file, so a restarted server starts empty.
type redisServer struct {
	addr, dir, log string
	proc           *testbed.Process
}

// startRedis starts redis-server on a free loopback port.
func startRedis(ctx context.Context, dir string) (*redisServer, error) {
	addr, err := testbed.FreeAddr()
	if err != nil {
		return nil, err
	}
	r := &redisServer{addr: addr, dir: dir, log: filepath.Join(dir, "redis.log")}
	return r, r.start(ctx)
}

// start runs the server and waits until it answers PING.
func (r *redisServer) start(ctx context.Context) error {
	host, port, _ := strings.Cut(r.addr, ":")
	cmd := exec.Command("redis-server", "--bind", host, "--port", port, "--save", "", "--appendonly", "no", "--dir", r.dir, "--daemonize", "no")
	proc, err := testbed.StartProcess(cmd, r.log)
	if err != nil {
		return fmt.Errorf("redis: %w (apt-get install redis-server)", err)
	}
	r.proc = proc
	ctx, cancel := context.WithTimeout(ctx, serviceTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-proc.Exited():
			return fmt.Errorf("redis: exited: %v (see %s)", proc.Err(), r.log)
		case <-ctx.Done():
			return fmt.Errorf("redis: not answering: %w", ctx.Err())
		case <-tick.C:
		}
		if r.ping(ctx) == nil {
			return nil
		}
	}
}

func (r *redisServer) ping(ctx context.Context) error {
	c := goredis.NewClient(&goredis.Options{Addr: r.addr, MaxRetries: -1})
	defer c.Close()
	return c.Ping(ctx).Err()
}

// kill ends the server as a crash would.
func (r *redisServer) kill() error {
	return r.proc.Kill()
}

// close stops the server on the way out.
func (r *redisServer) close() error {
	if r.proc == nil {
		return nil
	}
	return r.proc.Stop(serviceTimeout)
}

// version is the server's version, "7.0.15".
func (r *redisServer) version(ctx context.Context) (string, error) {
	c := goredis.NewClient(&goredis.Options{Addr: r.addr})
	defer c.Close()
	info, err := c.InfoMap(ctx, "server").Result()
	if err != nil {
		return "", fmt.Errorf("redis: info server: %w", err)
	}
	v := info["Server"]["redis_version"]
	if v == "" {
		return "", errors.New("redis: info server: no redis_version")
	}
	return v, nil
}
