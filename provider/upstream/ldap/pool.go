package ldap

import (
	"context"
	"sync"

	goldap "github.com/go-ldap/ldap/v3"
)

// pool keeps up to size connections bound as the service account: at
// most size are open at once, idle ones are reused, and a broken one is
// dropped and replaced by a new dial on the next get.
type pool struct {
	dial  func(context.Context) (*goldap.Conn, error)
	slots chan struct{} // one token per open connection
	idle  chan *goldap.Conn

	mu     sync.Mutex
	closed bool
}

func newPool(size int, dial func(context.Context) (*goldap.Conn, error)) *pool {
	return &pool{
		dial:  dial,
		slots: make(chan struct{}, size),
		idle:  make(chan *goldap.Conn, size),
	}
}

// get returns an idle connection (reused) or a new one, waiting for a
// free slot while size are in use, as long as ctx lasts.
func (p *pool) get(ctx context.Context) (conn *goldap.Conn, reused bool, err error) {
	for {
		select {
		case conn = <-p.idle:
		default:
			select {
			case conn = <-p.idle:
			case p.slots <- struct{}{}:
				conn, err := p.dial(ctx)
				if err != nil {
					<-p.slots
					return nil, false, err
				}
				return conn, false, nil
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
		if !conn.IsClosing() {
			return conn, true, nil
		}
		p.drop(conn)
	}
}

// put gives a healthy connection back.
func (p *pool) put(conn *goldap.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || conn.IsClosing() {
		conn.Close()
		<-p.slots
		return
	}
	p.idle <- conn // never blocks: at most size connections hold a slot
}

// drop closes a connection that failed and frees its slot.
func (p *pool) drop(conn *goldap.Conn) {
	conn.Close()
	<-p.slots
}

// close ends the idle connections; those in use are closed when put.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for {
		select {
		case conn := <-p.idle:
			conn.Close()
			<-p.slots
		default:
			return
		}
	}
}
