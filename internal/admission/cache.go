package admission

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/policy"
)

// nameToken stands for the object's name while it is evaluated for the
// cache: the findings of one pod template hold for every pod made from it,
// with the name put back in.
const nameToken = "\x00mlbom-object-name\x00"

// maxCached bounds the decision cache.
const maxCached = 4096

// evalCache remembers the policy findings for an object's content, without
// the fields every copy of a template has of its own (name, uid, owner,
// resource version, status). A ReplicaSet creating 50 pods is judged once.
type evalCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[[32]byte]cacheEntry
}

type cacheEntry struct {
	findings []policy.Finding
	at       time.Time
}

// volatileMeta are the metadata fields that differ between copies of one
// template.
var volatileMeta = []string{"name", "generateName", "uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences", "generation", "deletionTimestamp"}

// normalized is a copy of obj with the volatile fields removed and the name
// replaced by nameToken, and its cache key.
func normalized(kind, operation string, enforce bool, obj map[string]any) (map[string]any, [32]byte, bool) {
	md, _ := obj["metadata"].(map[string]any)
	cp := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "metadata" && k != "status" {
			cp[k] = v
		}
	}
	nmd := make(map[string]any, len(md))
	for k, v := range md {
		nmd[k] = v
	}
	for _, k := range volatileMeta {
		delete(nmd, k)
	}
	nmd["name"] = nameToken
	cp["metadata"] = nmd
	data, err := json.Marshal(cp) // map keys sorted: a canonical form
	if err != nil {
		return nil, [32]byte{}, false
	}
	h := sha256.New()
	h.Write([]byte(kind + "\x00" + operation + "\x00"))
	if enforce {
		h.Write([]byte{1})
	}
	h.Write(data)
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return cp, key, true
}

func (c *evalCache) get(key [32]byte, now time.Time) ([]policy.Finding, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.findings, true
}

func (c *evalCache) put(key [32]byte, fs []policy.Finding, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[[32]byte]cacheEntry, 256) // simplest bound: start over
	}
	c.m[key] = cacheEntry{findings: fs, at: now}
}

// named puts the object's name into findings evaluated with nameToken.
func named(fs []policy.Finding, project, name string) []policy.Finding {
	out := make([]policy.Finding, len(fs))
	for i, f := range fs {
		f.Component = strings.ReplaceAll(f.Component, nameToken, name)
		f.Message = strings.ReplaceAll(f.Message, nameToken, name)
		f.Remediation = strings.ReplaceAll(f.Remediation, nameToken, name)
		f.ID = policy.FindingID(project, f.Policy, f.Component, f.License)
		out[i] = f
	}
	return out
}
