package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Filters say what is worth reporting; everything else is dropped in the
// kernel.
type Filters struct {
	// ModelExtensions are hashed when opened; DatasetExtensions are only
	// reported. With the leading dot, lower case.
	ModelExtensions   []string
	DatasetExtensions []string
	// Programs are ML runtime basenames (a version suffix is ignored:
	// "python" matches python3.11).
	Programs []string
	// AllExec reports every program execution.
	AllExec bool
	// Endpoints whose outbound connections are reported.
	Endpoints []EndpointSpec
}

// EndpointSpec is a configured AI endpoint: a host name or address, a port
// (0: any) and the name reported for it.
type EndpointSpec struct {
	Host string `json:"host"`
	Port uint16 `json:"port,omitempty"`
	Name string `json:"name,omitempty"`
}

// Extensions is every extension the kernel filter matches.
func (f Filters) Extensions() []string {
	return append(append([]string(nil), f.ModelExtensions...), f.DatasetExtensions...)
}

func (f Filters) isModel(path string) bool {
	return hasExt(path, f.ModelExtensions)
}

func (f Filters) isTraced(path string) bool {
	return hasExt(path, f.ModelExtensions) || hasExt(path, f.DatasetExtensions)
}

func hasExt(path string, exts []string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	i := strings.LastIndexByte(base, '.')
	if i < 0 {
		return false
	}
	ext := strings.ToLower(base[i:])
	for _, e := range exts {
		if e == ext {
			return true
		}
	}
	return false
}

// FiltersFromData reads the lists from policy data (data.mlbom.config):
// runtime.model_extensions, runtime.dataset_extensions, runtime.programs,
// runtime.endpoints ("HOST[:PORT][=NAME]"), and the host names of
// sources.providers (port 443) — the hosted AI APIs the runtime policy
// judges.
func FiltersFromData(data map[string]any) (Filters, error) {
	cfg := dig(data, "mlbom", "config")
	rt := dig(cfg, "runtime")
	var f Filters
	var err error
	if f.ModelExtensions, err = extensions(rt["model_extensions"]); err != nil {
		return f, fmt.Errorf("runtime.model_extensions: %w", err)
	}
	if f.DatasetExtensions, err = extensions(rt["dataset_extensions"]); err != nil {
		return f, fmt.Errorf("runtime.dataset_extensions: %w", err)
	}
	for _, p := range strs(rt["programs"]) {
		if p == "" || strings.Contains(p, "/") {
			return f, fmt.Errorf("runtime.programs: %q is not a program name", p)
		}
		f.Programs = append(f.Programs, p)
	}
	for _, s := range strs(rt["endpoints"]) {
		ep, err := ParseEndpoint(s)
		if err != nil {
			return f, fmt.Errorf("runtime.endpoints: %w", err)
		}
		f.Endpoints = append(f.Endpoints, ep)
	}
	providers := dig(cfg, "sources", "providers")
	names := make([]string, 0, len(providers))
	for name := range providers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, h := range strs(providers[name]) {
			if strings.Contains(h, "*") {
				continue // a pattern, not a name that resolves
			}
			f.Endpoints = append(f.Endpoints, EndpointSpec{Host: strings.ToLower(h), Port: 443, Name: strings.ToLower(h)})
		}
	}
	if len(f.ModelExtensions) == 0 {
		return f, fmt.Errorf("runtime.model_extensions is empty: the tracer would see no model file")
	}
	return f, nil
}

// ParseEndpoint parses HOST[:PORT][=NAME]: api.openai.com:443,
// 10.0.0.5:8000=vllm.internal, [::1]:11434=ollama.
func ParseEndpoint(s string) (EndpointSpec, error) {
	var ep EndpointSpec
	addr, name, _ := strings.Cut(strings.TrimSpace(s), "=")
	host, port := addr, ""
	if h, p, err := net.SplitHostPort(addr); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		host = addr[1 : len(addr)-1]
	}
	if host == "" || strings.ContainsAny(host, "/ *") {
		return ep, fmt.Errorf("endpoint %q: want HOST[:PORT][=NAME]", s)
	}
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return ep, fmt.Errorf("endpoint %q: port %q", s, port)
		}
		ep.Port = uint16(n)
	}
	ep.Host = strings.ToLower(host)
	ep.Name = strings.ToLower(name)
	if ep.Name == "" {
		ep.Name = ep.Host
	}
	return ep, nil
}

func extensions(v any) ([]string, error) {
	var out []string
	for _, e := range strs(v) {
		e = strings.ToLower(e)
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		if len(e) < 2 || len(e) > 16 || strings.ContainsAny(e[1:], "./") {
			return nil, fmt.Errorf("%q: want one dot and 1 to 15 characters", e)
		}
		out = append(out, e)
	}
	return out, nil
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		m = next
	}
	if m == nil {
		return map[string]any{}
	}
	return m
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Address is one resolved endpoint address, with the ID the kernel filter
// reports back.
type Address struct {
	Addr netip.Addr
	Port uint16
	ID   uint32
}

// endpointTable resolves configured endpoints to addresses and remembers
// which name each ID stands for.
type endpointTable struct {
	specs   []EndpointSpec
	lookup  func(ctx context.Context, host string) ([]netip.Addr, error)
	log     *slog.Logger
	mu      sync.Mutex
	names   map[uint32]string
	warned  map[string]bool
	timeout time.Duration
}

func newEndpointTable(specs []EndpointSpec, log *slog.Logger) *endpointTable {
	return &endpointTable{
		specs: specs, log: log, names: map[uint32]string{}, warned: map[string]bool{}, timeout: 5 * time.Second,
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
	}
}

// resolve looks every host up (concurrently, bounded by a timeout) and
// returns the addresses; IDs index specs, so they are stable across
// re-resolution.
func (t *endpointTable) resolve(ctx context.Context) []Address {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	results := make([][]netip.Addr, len(t.specs))
	errs := make([]error, len(t.specs))
	var wg sync.WaitGroup
	for i, sp := range t.specs {
		if a, err := netip.ParseAddr(sp.Host); err == nil {
			results[i] = []netip.Addr{a}
			continue
		}
		wg.Add(1)
		go func(i int, host string) {
			defer wg.Done()
			results[i], errs[i] = t.lookup(ctx, host)
		}(i, sp.Host)
	}
	wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Address
	seen := map[Address]bool{}
	for i, sp := range t.specs {
		id := uint32(i + 1)
		t.names[id] = sp.Name
		if errs[i] != nil && !t.warned[sp.Host] {
			t.warned[sp.Host] = true
			t.log.Debug("endpoint does not resolve; its connections are not traced until it does", "host", sp.Host, "error", errs[i])
		}
		for _, a := range results[i] {
			ad := Address{Addr: a.Unmap(), Port: sp.Port, ID: id}
			key := Address{Addr: ad.Addr, Port: ad.Port}
			if seen[key] {
				continue // the first spec naming an address wins
			}
			seen[key] = true
			out = append(out, ad)
		}
	}
	return out
}

// literal returns the endpoints given as addresses, without any lookup.
func (t *endpointTable) literal() []Address {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Address
	for i, sp := range t.specs {
		id := uint32(i + 1)
		t.names[id] = sp.Name
		if a, err := netip.ParseAddr(sp.Host); err == nil {
			out = append(out, Address{Addr: a.Unmap(), Port: sp.Port, ID: id})
		}
	}
	return out
}

func (t *endpointTable) name(id uint32) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.names[id]
}
