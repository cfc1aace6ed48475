package postgres_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/storagetest"
)

func open(t *testing.T) storage.Store {
	t.Helper()
	return pgtest.Open(t)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, open)
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	storagetest.RunConcurrent(t, open)
}
