package admission

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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
// resource version, status). A ReplicaSet creating 50 pods is judged once,
// and so are 50 pods arriving together: concurrent misses for one content
// share one evaluation (flight) instead of each paying for it, which is
// what kept the tail long when a template's entry expired under load.
type evalCache struct {
	ttl    time.Duration
	mu     sync.Mutex
	m      map[[32]byte]cacheEntry
	flight singleflight.Group
}

type cacheEntry struct {
	findings []policy.Finding
	at       time.Time
}

// volatileMeta are the metadata fields that differ between copies of one
// template.
var volatileMeta = map[string]bool{"name": true, "generateName": true, "uid": true, "resourceVersion": true,
	"creationTimestamp": true, "managedFields": true, "ownerReferences": true, "generation": true, "deletionTimestamp": true}

// normalized is a copy of obj as the cache evaluates it: status and the
// volatile metadata removed, the name replaced by nameToken. Only the top
// two levels are copied; the rest is shared (the policies do not write).
func normalized(obj map[string]any) map[string]any {
	md, _ := obj["metadata"].(map[string]any)
	cp := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "metadata" && k != "status" {
			cp[k] = v
		}
	}
	nmd := make(map[string]any, len(md)+1)
	for k, v := range md {
		if !volatileMeta[k] {
			nmd[k] = v
		}
	}
	nmd["name"] = nameToken
	cp["metadata"] = nmd
	return cp
}

// templateKey is the cache key of obj's normalized content judged for one
// project, kind, operation and mode: a hash over an unambiguous encoding
// (type tags, lengths, keys in order) of what normalized keeps, written
// straight from the decoded object with no copy and no JSON encoding.
func templateKey(project, kind, operation string, enforce bool, obj map[string]any) [32]byte {
	w := keyWriters.Get().(*keyWriter)
	w.buf = w.buf[:0]
	w.str(project)
	w.str(kind)
	w.str(operation)
	if enforce {
		w.buf = append(w.buf, 'E')
	}
	md, _ := obj["metadata"].(map[string]any)
	w.object(obj, func(k string) bool { return k == "metadata" || k == "status" })
	w.object(md, func(k string) bool { return volatileMeta[k] })
	key := sha256.Sum256(w.buf)
	if cap(w.buf) <= 1<<20 {
		keyWriters.Put(w)
	}
	return key
}

var keyWriters = sync.Pool{New: func() any { return &keyWriter{} }}

type keyWriter struct {
	buf  []byte
	keys []string // a stack of sorted key lists, one per open object
}

func (w *keyWriter) str(s string) {
	w.buf = append(w.buf, 's')
	w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *keyWriter) object(m map[string]any, skip func(string) bool) {
	start := len(w.keys)
	for k := range m {
		if skip == nil || !skip(k) {
			w.keys = append(w.keys, k)
		}
	}
	// Nested objects push above end, so keys stays valid if w.keys grows.
	keys := w.keys[start:]
	sort.Strings(keys)
	w.buf = append(w.buf, 'o')
	w.buf = binary.AppendUvarint(w.buf, uint64(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.value(m[k])
	}
	w.keys = w.keys[:start]
}

func (w *keyWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		w.buf = append(w.buf, 'z')
	case bool:
		if x {
			w.buf = append(w.buf, 't')
		} else {
			w.buf = append(w.buf, 'f')
		}
	case float64:
		w.buf = binary.LittleEndian.AppendUint64(append(w.buf, 'n'), math.Float64bits(x))
	case string:
		w.str(x)
	case []any:
		w.buf = append(w.buf, 'a')
		w.buf = binary.AppendUvarint(w.buf, uint64(len(x)))
		for _, e := range x {
			w.value(e)
		}
	case map[string]any:
		w.object(x, nil)
	default:
		// json.Unmarshal into any makes none of these; should a caller hand
		// in other values, they still key apart by type and printed value.
		w.buf = append(w.buf, 'x')
		w.str(fmt.Sprintf("%T:%v", x, x))
	}
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
