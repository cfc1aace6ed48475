package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// secretEnv is the variable the client secret is read from when the flag
// does not give it; prefer it: a flag shows in the process list.
const secretEnv = "TOKENIM_RS_CLIENT_SECRET"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stderr, hooks{}); err != nil {
		fmt.Fprintln(os.Stderr, "imservice:", err)
		stop()
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	issuer, clientID, clientSecret, listen string
	// resource is the service's resource identifier; "" means
	// "http://" and the address it listens on.
	resource string
	cacheTTL time.Duration
}

// parse reads args, taking the client secret from the environment when
// the flag is absent.
func parse(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("imservice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.issuer, "issuer", "http://127.0.0.1:8080", "issuer of the TokenIM Auth provider")
	fs.StringVar(&o.clientID, "client-id", "demo-gateway", "this service's resource server client id")
	fs.StringVar(&o.clientSecret, "client-secret", "", "its secret (default: $"+secretEnv+")")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8090", "address to serve on")
	fs.StringVar(&o.resource, "resource", "", "this service's resource identifier, its https URL (default: http:// and the -listen address, which must then be a loopback one)")
	fs.DurationVar(&o.cacheTTL, "cache-ttl", rs.DefaultCacheTTL, "how long an introspection answer is reused (0: never)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.clientSecret == "" {
		o.clientSecret, _ = lookupEnv(secretEnv)
	}
	if o.clientSecret == "" {
		return o, fmt.Errorf("the client secret is required: set %s or -client-secret", secretEnv)
	}
	if o.cacheTTL == 0 {
		o.cacheTTL = rs.NoCache
	}
	return o, nil
}

// hooks tell a test what run is doing; either may be nil.
type hooks struct {
	// ready is told the address once the service listens.
	ready func(addr string)
	// revoked is told each revocation the provider streamed, once the
	// cache has dropped the tokens it revokes.
	revoked func(rs.Event)
}

// run serves until ctx ends. Meanwhile it follows the provider's
// revocation stream, so that a token revoked at the provider is refused
// as soon as the provider says so, not only once its cached introspection
// answer is older than -cache-ttl.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer, h hooks) error {
	o, err := parse(args, lookupEnv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	resource := o.resource
	if resource == "" {
		if addr, ok := ln.Addr().(*net.TCPAddr); !ok || !addr.IP.IsLoopback() {
			_ = ln.Close()
			return fmt.Errorf("-resource is required when the service listens beyond loopback (%s): give its https URL", ln.Addr())
		}
		resource = "http://" + ln.Addr().String()
	}
	v, err := rs.New(rs.Config{
		Issuer: o.issuer, ClientID: o.clientID, ClientSecret: o.clientSecret,
		CacheTTL: o.cacheTTL, Realm: "imservice", Logger: logger,
		Resource: resource, ResourceName: "TokenIM example IM service",
		// The scopes the routes ask for.
		ScopesSupported: []string{"im:messages.send", "im:messages.read"},
	})
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           handler(v, newService(time.Now).routes()),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       time.Minute,
	}
	follow, stopFollowing := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		_ = v.FollowRevocations(follow, func(e rs.Event) {
			logger.InfoContext(follow, "revocation received; its tokens are refused from now on", "kind", e.Kind, "seq", e.Seq)
			if h.revoked != nil {
				h.revoked(e)
			}
		})
	}()
	defer func() {
		stopFollowing()
		<-followed
	}()
	logger.InfoContext(ctx, "imservice listening", "addr", ln.Addr().String(), "issuer", o.issuer, "resource", resource, "metadata", v.MetadataURL())
	if h.ready != nil {
		h.ready(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// handler serves the protected resource metadata (RFC 9728) to anyone at
// its well-known path, and api behind v's middleware.
func handler(v *rs.Verifier, api http.Handler) http.Handler {
	mux := http.NewServeMux()
	pattern := v.MetadataPath()
	if strings.HasSuffix(pattern, "/") {
		// That path only, not the tree under it.
		pattern += "{$}"
	}
	mux.Handle(pattern, v.MetadataHandler())
	mux.Handle("/", v.Middleware(api))
	return mux
}
