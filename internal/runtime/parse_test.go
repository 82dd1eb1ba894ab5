package runtime

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/policy"
)

func TestContainerAndPod(t *testing.T) {
	id := strings.Repeat("ab12", 16)
	for _, tc := range []struct {
		cgroup, container, pod string
	}{
		{"/", "", ""},
		{"/user.slice/user-1000.slice/session-3.scope", "", ""},
		{"/system.slice/docker-" + id + ".scope", id, ""},
		{"/docker/" + id, id, ""},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_0000_4111_8222_abcdefabcdef.slice/cri-containerd-" + id + ".scope",
			id, "1a2b3c4d-0000-4111-8222-abcdefabcdef"},
		{"/kubepods/besteffort/pod1a2b3c4d-0000-4111-8222-abcdefabcdef/" + id, id, "1a2b3c4d-0000-4111-8222-abcdefabcdef"},
		{"/system.slice/crio-" + id + ".scope", id, ""},
		{"/machine.slice/libpod-" + id + ".scope/container", id, ""},
		{"/x/" + strings.Repeat("a", 63), "", ""},
	} {
		if got := ContainerID(tc.cgroup); got != tc.container {
			t.Errorf("ContainerID(%s) = %q, want %q", tc.cgroup, got, tc.container)
		}
		if got := PodUID(tc.cgroup); got != tc.pod {
			t.Errorf("PodUID(%s) = %q, want %q", tc.cgroup, got, tc.pod)
		}
	}
}

func TestRedactArgv(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"python", "serve.py", "--model", "bert"}, []string{"python", "serve.py", "--model", "bert"}},
		{[]string{"python", "--api-key", "abc123", "--port", "80"}, []string{"python", "--api-key", Redacted, "--port", "80"}},
		{[]string{"vllm", "--hf-token=hf_abcdefghijklmnop"}, []string{"vllm", "--hf-token=" + Redacted}},
		{[]string{"env", "OPENAI_API_KEY=sk-live-123"}, []string{"env", "OPENAI_API_KEY=" + Redacted}},
		{[]string{"curl", "sk-proj-abcdefghijklmn"}, []string{"curl", Redacted}},
		{[]string{"x", "hf_abcdefgh"}, []string{"x", Redacted}}, // cut short by the kernel
		{[]string{"git", "clone", "https://bob:s3cret@git.example.com/r.git"}, []string{"git", "clone", "https://" + Redacted + "@git.example.com/r.git"}},
		{[]string{"app", "--token", "--verbose"}, []string{"app", "--token", "--verbose"}},
	} {
		if got := redactArgv(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("redactArgv(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want EndpointSpec
		bad  bool
	}{
		{in: "api.openai.com", want: EndpointSpec{Host: "api.openai.com", Name: "api.openai.com"}},
		{in: "API.OpenAI.com:443", want: EndpointSpec{Host: "api.openai.com", Port: 443, Name: "api.openai.com"}},
		{in: "10.0.0.5:8000=vllm.internal", want: EndpointSpec{Host: "10.0.0.5", Port: 8000, Name: "vllm.internal"}},
		{in: "[::1]:11434=ollama", want: EndpointSpec{Host: "::1", Port: 11434, Name: "ollama"}},
		{in: "*.openai.azure.com", bad: true},
		{in: "host:99999", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseEndpoint(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseEndpoint(%q) accepted", tc.in)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseEndpoint(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// The filters come from the shipped policy data: the same lists the
// runtime policy reads.
func TestFiltersFromShippedData(t *testing.T) {
	data, err := policy.Data(policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := FiltersFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if !f.isModel("/m/x.SafeTensors") || f.isModel("/m/x.parquet") || !f.isTraced("/d/train.parquet") || f.isTraced("/etc/passwd") {
		t.Errorf("extension matching wrong: %+v", f)
	}
	var hosts []string
	for _, e := range f.Endpoints {
		hosts = append(hosts, e.Host)
		if strings.Contains(e.Host, "*") {
			t.Errorf("wildcard %q cannot be resolved", e.Host)
		}
	}
	if !strings.Contains(strings.Join(hosts, " "), "api.openai.com") || !strings.Contains(strings.Join(f.Programs, " "), "torchrun") {
		t.Errorf("endpoints %v / programs %v miss the shipped ones", hosts, f.Programs)
	}
	if _, err := FiltersFromData(map[string]any{}); err == nil {
		t.Error("data without model extensions accepted")
	}
}

func TestParseHexAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000000000000000000001000000:01BB": "[::1]:443",
		"0000000000000000FFFF00000100007F:0050": "127.0.0.1:80",
	} {
		got, ok := parseHexAddr(in)
		if !ok || got != netip.MustParseAddrPort(want) {
			t.Errorf("parseHexAddr(%s) = %v, %v; want %s", in, got, ok, want)
		}
	}
}

func TestFolderCountsRepeats(t *testing.T) {
	f := newFolder(10 * time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(pid int, path string, at time.Duration) Event {
		return Event{Type: TypeOpen, PID: pid, Path: path, Time: t0.Add(at), Count: 1, ino: uint64(len(path))}
	}
	first := ev(1, "/m/a.gguf", 0)
	if f.repeat(&first) {
		t.Fatal("first event folded")
	}
	f.first(first)
	for i := 1; i <= 5; i++ {
		e := ev(1, "/m/a.gguf", time.Duration(i)*time.Second)
		if !f.repeat(&e) {
			t.Fatalf("repeat %d not folded", i)
		}
	}
	other := ev(2, "/m/a.gguf", time.Second) // another process: its own event
	if f.repeat(&other) {
		t.Error("another process's open folded")
	}
	late := ev(1, "/m/a.gguf", 11*time.Second) // after the window
	if f.repeat(&late) {
		t.Error("open after the window folded")
	}
	if got := f.flush(t0.Add(5 * time.Second)); len(got) != 0 {
		t.Errorf("window flushed early: %+v", got)
	}
	got := f.flush(t0.Add(11 * time.Second))
	if len(got) != 1 || got[0].Count != 5 || !got[0].Time.Equal(t0.Add(5*time.Second)) {
		t.Errorf("flush = %+v, want one event counting the 5 repeats at their last time", got)
	}
}

func TestArtifactMerge(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var a Artifact
	e := Event{Type: TypeOpen, Path: "/m/x.gguf", Time: t0.Add(time.Minute), PID: 1, Comm: "python3", Node: "n1", Count: 1, Fidelity: FidelityProc}
	if !a.Merge(&e, "demo") || a.Key != "open:/m/x.gguf" || a.Count != 1 {
		t.Fatalf("first merge: %+v", a)
	}
	e2 := Event{Type: TypeOpen, Path: "/m/x.gguf", Time: t0, PID: 2, Comm: "llama-server", Container: "c1", Node: "n1", Count: 4, SHA256: "aa", Fidelity: FidelityEBPF}
	a.Merge(&e2, "")
	if a.Count != 5 || !a.FirstSeen.Equal(t0) || !a.LastSeen.Equal(t0.Add(time.Minute)) || a.Comm != "python3" || a.SHA256 != "aa" || a.Fidelity != FidelityEBPF {
		t.Errorf("after an older event: %+v", a)
	}
	if fmt.Sprint(a.Processes) != "[llama-server python3]" || fmt.Sprint(a.Projects) != "[demo]" || fmt.Sprint(a.Containers) != "[c1]" {
		t.Errorf("lists: %+v", a)
	}
	if a.Merge(&e2, "") {
		t.Error("the same facts again reported a change")
	}
	for i := 0; i < 2*MaxListed; i++ {
		a.Merge(&Event{Type: TypeOpen, Path: "/m/x.gguf", Time: t0, Comm: fmt.Sprintf("p%02d", i)}, "")
	}
	if len(a.Processes) != MaxListed {
		t.Errorf("%d processes kept, want at most %d", len(a.Processes), MaxListed)
	}
}

func TestPodsNamesUIDsFromTheAPI(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Query().Get("fieldSelector") != "spec.nodeName=gpu-1" {
			http.Error(w, "forbidden", 403)
			return
		}
		fmt.Fprint(w, `{"items":[{"metadata":{"uid":"1a2b","name":"vllm-0","namespace":"ml"}}]}`)
	}))
	defer srv.Close()
	p := NewPods(srv.URL, "tok", "gpu-1", srv.Client())
	if got := p.Name(context.Background(), "1a2b"); got != "" {
		t.Errorf("first sight: %q, want the UID only while the list is read", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Name(context.Background(), "1a2b") != "ml/vllm-0" {
		if time.Now().After(deadline) {
			t.Fatal("pod never named")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := p.Name(context.Background(), "ffff"); got != "" || calls != 1 {
		t.Errorf("unknown uid: %q after %d calls (the list is reread at most every 30s)", got, calls)
	}
	var none *Pods
	if none.Name(context.Background(), "1a2b") != "" {
		t.Error("nil Pods named a pod")
	}
}
