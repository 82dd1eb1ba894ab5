package api

import (
	"context"
	"strconv"
	"sync"

	"github.com/mlbom/autopilot/internal/store"
)

// versionCache keeps what the pages derive from a stored version: its
// component rows and its lineage graph. A stored version never changes
// (SaveVersion writes it whole, nothing rewrites it), so entries never go
// stale; the key includes the scan that made the version, so a database
// swapped under a running server cannot serve another version's rows. The
// few most recent versions are kept: a 5k-component version is about 2 MB.
type versionCache struct {
	mu      sync.Mutex
	max     int
	order   []string
	entries map[string]*versionEntry
}

type versionEntry struct {
	rowsOnce sync.Once
	rows     []store.ComponentRow
	rowsErr  error
	linOnce  sync.Once
	lin      *lineageGraph
	linErr   error
}

func newVersionCache(max int) *versionCache {
	return &versionCache{max: max, entries: map[string]*versionEntry{}}
}

func (c *versionCache) entry(v store.Version) (string, *versionEntry) {
	key := v.Project + "\x00" + strconv.Itoa(v.Number) + "\x00" + v.ScanID
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		e = &versionEntry{}
		c.entries[key] = e
		c.order = append(c.order, key)
		if len(c.order) > c.max {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	return key, e
}

// forget drops a failed entry (a cancelled request, a store hiccup), so the
// next request tries again.
func (c *versionCache) forget(key string, e *versionEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[key] == e {
		delete(c.entries, key)
	}
}

// rows returns the component rows of v, read once however many requests
// ask at the same time. The caller must not modify them.
func (c *versionCache) rows(ctx context.Context, db *store.DB, v store.Version) ([]store.ComponentRow, error) {
	key, e := c.entry(v)
	e.rowsOnce.Do(func() { e.rows, e.rowsErr = db.ListComponents(ctx, v.Project, v.Number) })
	if e.rowsErr != nil {
		c.forget(key, e)
		return nil, e.rowsErr
	}
	return e.rows, nil
}

// lineage returns the lineage graph of v, whose BOM must be loaded.
func (c *versionCache) lineage(v store.Version) (*lineageGraph, error) {
	key, e := c.entry(v)
	e.linOnce.Do(func() { e.lin, e.linErr = parseLineage(v.BOM) })
	if e.linErr != nil {
		c.forget(key, e)
		return nil, e.linErr
	}
	return e.lin, nil
}
