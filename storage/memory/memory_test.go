package memory_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/storagetest"
)

func open(*testing.T) storage.Store { return memory.New() }

func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, open)
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	storagetest.RunConcurrent(t, open)
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	s := memory.New()
	unlock, ok, err := s.TryLock(t.Context(), "janitor")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v; want the lock", ok, err)
	}
	if _, ok, _ := s.TryLock(t.Context(), "janitor"); ok {
		t.Fatal("a held lock was taken again")
	}
	other, ok, _ := s.TryLock(t.Context(), "another")
	if !ok {
		t.Fatal("a lock of another name was held too")
	}
	other()
	unlock()
	unlock() // a second call does nothing
	again, ok, _ := s.TryLock(t.Context(), "janitor")
	if !ok {
		t.Fatal("a released lock could not be taken")
	}
	unlock() // nor does a late one: the lock stays with its new holder
	if _, ok, _ := s.TryLock(t.Context(), "janitor"); ok {
		t.Fatal("a stale unlock released the new holder's lock")
	}
	again()
}
