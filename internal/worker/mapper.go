package worker

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/retailsync/retailsync/internal/mapping"
)

// Mappers holds the compiled MappingSet. A MappingSet edit that does not compile keeps the last good
// rules in force (the operator reports the errors on the MappingSet), so a typo never stops a flow.
type Mappers struct {
	current atomic.Pointer[mapping.Mapper]

	mu         sync.Mutex
	generation int64
	problem    string
}

// Get returns the rules in force, nil before the first successful compile.
func (m *Mappers) Get() *mapping.Mapper { return m.current.Load() }

// Problem says why the latest MappingSet is not in force, "" when it is.
func (m *Mappers) Problem() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.problem
}

// Update compiles the snapshot's MappingSet when its generation changed.
func (m *Mappers) Update(snap Snapshot) {
	ms := snap.MappingSet
	m.mu.Lock()
	defer m.mu.Unlock()
	if ms.Generation == m.generation && m.current.Load() != nil {
		return
	}
	m.generation = ms.Generation
	mapper, errs := mapping.Compile(ms.Namespace+"/"+ms.Name, &ms.Spec)
	if len(errs) > 0 {
		m.problem = fmt.Sprintf("MappingSet %s generation %d does not compile (%d errors; first: %v); the previous rules stay in force",
			ms.Name, ms.Generation, len(errs), errs[0])
		return
	}
	m.problem = ""
	m.current.Store(mapper)
}
