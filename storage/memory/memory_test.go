package memory_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/storagetest"
)

func open(*testing.T) storage.Store { return memory.New() }

func TestConformance(t *testing.T) { storagetest.Run(t, open) }

func TestConcurrency(t *testing.T) { storagetest.RunConcurrent(t, open) }
