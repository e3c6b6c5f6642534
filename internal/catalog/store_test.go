package catalog

import (
	"bytes"
	"runtime"
	"testing"
)

// TestBlockCacheLetsCollectionTakeBlocks: a decoded block of the schema store serves again
// while something holds it, and a collection takes it once nothing does; it is then decoded
// anew, the same.
func TestBlockCacheLetsCollectionTakeBlocks(t *testing.T) {
	c, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.schemaStore()
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.block(1)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.block(1); again != first {
		t.Fatal("a block held elsewhere was decoded again")
	}
	data := bytes.Clone(first.data)
	first = nil
	runtime.GC()
	runtime.GC()
	s.mu.Lock()
	for _, c := range s.cache {
		if c.index == 1 && c.block.Value() != nil {
			t.Error("the cache still holds a block nothing else does, after a collection")
		}
	}
	s.mu.Unlock()
	anew, err := s.block(1)
	if err != nil || !bytes.Equal(anew.data, data) {
		t.Fatalf("decoded anew: %v, the same: %v", err, anew != nil && bytes.Equal(anew.data, data))
	}
	if again, _ := s.block(1); again != anew {
		t.Error("the block decoded anew was not cached")
	}
}
