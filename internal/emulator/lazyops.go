package emulator

import (
	"fmt"
	"sync"

	"github.com/gru-iac/gru/internal/armops"
)

// lazyOps is the operations table, parsed on first use (about 20 ms and 6 MB of allocations):
// only writes and subscription-wide lists consult it, so a read-only run (a plan) never does.
type lazyOps struct {
	once  sync.Once
	table *armops.Table
}

func (l *lazyOps) get() *armops.Table {
	l.once.Do(func() {
		t, err := armops.Open()
		if err != nil {
			panic(fmt.Sprintf("the embedded operations table: %v", err)) // a build defect: armops' tests parse it
		}
		l.table = t
	})
	return l.table
}

func (l *lazyOps) Resource(armType, apiVersion, method, name string, scope armops.Scope) (armops.Operation, bool) {
	return l.get().Resource(armType, apiVersion, method, name, scope)
}

func (l *lazyOps) Collection(armType, apiVersion string, scope armops.Scope) (armops.Operation, bool) {
	return l.get().Collection(armType, apiVersion, scope)
}

func (l *lazyOps) Name(armType string) (string, bool) { return l.get().Name(armType) }
