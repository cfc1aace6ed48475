package redis

import (
	"sync"
	"sync/atomic"
	"time"
)

// local is the in-process cache in front of Redis. Each entry lists the
// markers it depends on, so that an invalidation drops exactly the
// entries it concerns. seq counts invalidations: a reader notes it before
// reading Redis or the store and stores what it read only if no
// invalidation happened meanwhile.
type local struct {
	now func() time.Time
	ttl time.Duration
	max int

	seq atomic.Uint64
	mu  sync.RWMutex
	// items by key; byMarker lists the keys depending on each marker.
	items    map[localKey]*localItem
	byMarker map[string]map[localKey]struct{}
}

// localKey identifies an entry: the kind of record and its ID.
type localKey struct {
	kind byte
	id   string
}

type localItem struct {
	val     any
	markers []string
	expires time.Time
}

func newLocal(ttl time.Duration, max int, now func() time.Time) *local {
	return &local{now: now, ttl: ttl, max: max, items: map[localKey]*localItem{}, byMarker: map[string]map[localKey]struct{}{}}
}

// get returns the live value at key.
func (l *local) get(key localKey) (any, bool) {
	l.mu.RLock()
	it, ok := l.items[key]
	l.mu.RUnlock()
	if !ok || !l.now().Before(it.expires) {
		return nil, false
	}
	return it.val, true
}

// put stores val at key for at most the cache's TTL and until expires,
// unless an invalidation happened since the reader noted seq.
func (l *local) put(seq uint64, key localKey, val any, markers []string, expires time.Time) {
	now := l.now()
	if e := now.Add(l.ttl); expires.IsZero() || e.Before(expires) {
		expires = e
	}
	if !now.Before(expires) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seq.Load() != seq {
		return
	}
	if old, ok := l.items[key]; ok {
		l.remove(key, old)
	} else if len(l.items) >= l.max {
		l.evict(now)
	}
	l.items[key] = &localItem{val: val, markers: markers, expires: expires}
	for _, m := range markers {
		keys := l.byMarker[m]
		if keys == nil {
			keys = map[localKey]struct{}{}
			l.byMarker[m] = keys
		}
		keys[key] = struct{}{}
	}
}

// evict makes room: expired entries first, then arbitrary ones (map order)
// down to nine tenths of the maximum. The caller holds the lock.
func (l *local) evict(now time.Time) {
	for k, it := range l.items {
		if !now.Before(it.expires) {
			l.remove(k, it)
		}
	}
	for k, it := range l.items {
		if len(l.items) < l.max*9/10+1 && len(l.items) < l.max {
			break
		}
		l.remove(k, it)
	}
}

// remove drops one entry. The caller holds the lock.
func (l *local) remove(key localKey, it *localItem) {
	delete(l.items, key)
	for _, m := range it.markers {
		if keys := l.byMarker[m]; keys != nil {
			delete(keys, key)
			if len(keys) == 0 {
				delete(l.byMarker, m)
			}
		}
	}
}

// invalidate drops every entry depending on one of markers.
func (l *local) invalidate(markers []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq.Add(1)
	for _, m := range markers {
		for key := range l.byMarker[m] {
			if it, ok := l.items[key]; ok {
				l.remove(key, it)
			}
		}
		delete(l.byMarker, m)
	}
}

// flush drops everything.
func (l *local) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq.Add(1)
	l.items = map[localKey]*localItem{}
	l.byMarker = map[string]map[localKey]struct{}{}
}
