package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/bom"
	"github.com/mlbom/autopilot/internal/store"
	"github.com/mlbom/autopilot/workflows"
)

// requireAnnotation finds the annotation with exactly this text and checks
// who made it ("component:mlbom" for the tool).
func requireAnnotation(t *testing.T, bomJSON []byte, annotator, text string) {
	t.Helper()
	var doc struct {
		Annotations []struct {
			Text      string `json:"text"`
			Timestamp string `json:"timestamp"`
			Annotator struct {
				Individual *struct{ Name string } `json:"individual"`
				Component  *struct{ Name string } `json:"component"`
			} `json:"annotator"`
		} `json:"annotations"`
	}
	require.NoError(t, json.Unmarshal(bomJSON, &doc))
	var texts []string
	for _, a := range doc.Annotations {
		texts = append(texts, a.Text)
		if a.Text != text {
			continue
		}
		who := ""
		if a.Annotator.Individual != nil {
			who = a.Annotator.Individual.Name
		} else if a.Annotator.Component != nil {
			who = "component:" + a.Annotator.Component.Name
		}
		require.Equal(t, annotator, who, "annotator of %q", text)
		_, err := time.Parse(time.RFC3339, a.Timestamp)
		require.NoError(t, err, "annotation timestamp")
		return
	}
	t.Fatalf("no annotation %q; the BOM has %q", text, texts)
}

func makeRepoFrom(t *testing.T, testdata string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	src, err := filepath.Abs(filepath.Join("testdata", testdata))
	require.NoError(t, err)
	out, err := exec.Command("../../scripts/make-demo.sh", dir, src).CombinedOutput()
	require.NoError(t, err, string(out))
	return dir
}

type scanResult struct {
	out, errOut string
	code        int
}

// TestE2EDecisionsInTheirVersion: a rejected and a timed-out license
// exception are annotated on the BOM version of the scan that waited for
// them, and `mlbom approvals` and `mlbom bom --decisions` name that version.
func TestE2EDecisionsInTheirVersion(t *testing.T) {
	e := newE2E(t)
	e.startWorker()
	repo := makeRepoFrom(t, "repo-nc")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Both scans wait at once: one for a person who rejects, one for nobody.
	rejected, timedOut := make(chan scanResult, 1), make(chan scanResult, 1)
	go func() {
		out, errOut, code := e.mlbom(ctx, "scan", repo, "--project", "nc-reject", "--id", "scan/nc-reject/1", "--approval-timeout", "1h", "--json")
		rejected <- scanResult{out, errOut, code}
	}()
	go func() {
		out, errOut, code := e.mlbom(ctx, "scan", repo, "--project", "nc-timeout", "--id", "scan/nc-timeout/1", "--approval-timeout", "3s", "--json")
		timedOut <- scanResult{out, errOut, code}
	}()
	require.Eventually(t, func() bool {
		pending, _, _ := e.mlbom(ctx, "approvals", "--pending", "--project", "nc-reject", "--json")
		return strings.Contains(pending, "scan/nc-reject/1")
	}, time.Minute, 200*time.Millisecond, "the scan waits for a decision")
	o, errOut, code := e.mlbom(ctx, "reject", "scan/nc-reject/1", "--all", "--approver", "bob", "--reason", "no commercial license on file")
	require.Equal(t, 0, code, o+errOut)

	for name, ch := range map[string]chan scanResult{"nc-reject": rejected, "nc-timeout": timedOut} {
		r := <-ch
		require.Equal(t, 0, r.code, "%s\nstdout:\n%s\nstderr:\n%s", name, r.out, r.errOut)
		var sum workflows.ScanSummary
		require.NoError(t, json.Unmarshal([]byte(r.out), &sum), r.out)
		require.Equal(t, 1, sum.Version)
		require.Equal(t, "deny", sum.Verdict, "%s: a rejected or undecided exception is not waived", name)
		require.Len(t, sum.Exceptions, 1)
	}

	var trail []store.Approval
	list, _, code := e.mlbom(ctx, "approvals", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(list), &trail))
	require.Len(t, trail, 2, list)
	scanOf := map[string]string{}
	for _, a := range trail {
		require.Equal(t, 1, a.Version, "decision %+v names the version of its scan", a)
		require.Equal(t, "CC-BY-NC-4.0", a.License)
		scanOf[a.Decision] = a.ScanID
		switch a.Decision {
		case store.DecisionReject:
			require.Equal(t, "nc-reject", a.Project)
			require.Equal(t, "bob", a.Approver)
			require.True(t, a.Current, "the rejection is on record")
		case store.DecisionTimeout:
			require.Equal(t, "nc-timeout", a.Project)
			require.Equal(t, "no decision within the approval timeout of 3s", a.Reason)
			require.False(t, a.Current, "a timeout is not reused: the next scan asks again")
		default:
			t.Fatalf("unexpected decision %+v", a)
		}
	}
	require.True(t, strings.HasPrefix(scanOf[store.DecisionReject], "scan/nc-reject/1/"))
	require.True(t, strings.HasPrefix(scanOf[store.DecisionTimeout], "scan/nc-timeout/1/"))

	// The table says the same for people.
	table, _, code := e.mlbom(ctx, "approvals", "--project", "nc-timeout")
	require.Equal(t, 0, code)
	require.Contains(t, table, "VERSION")
	require.Contains(t, table, scanOf[store.DecisionTimeout])

	// Version 1 of each project carries its decision, for `mlbom bom` in
	// JSON and XML, and the API path shares the read.
	v1, errOut, code := e.mlbom(ctx, "bom", "nc-reject", "--version", "1")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, bom.Validate([]byte(v1)))
	requireAnnotation(t, []byte(v1), "bob", fmt.Sprintf(
		"License exception rejected for pkg:generic/local/model (CC-BY-NC-4.0) by bob: no commercial license on file [decided in scan %s, BOM version 1]", scanOf[store.DecisionReject]))
	v1, errOut, code = e.mlbom(ctx, "bom", "nc-timeout", "--version", "1")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, bom.Validate([]byte(v1)))
	requireAnnotation(t, []byte(v1), "component:mlbom", fmt.Sprintf(
		"License exception for pkg:generic/local/model (CC-BY-NC-4.0) timed out: no decision within the approval timeout of 3s; it counts as rejected [decided in scan %s, BOM version 1]", scanOf[store.DecisionTimeout]))
	xml, _, code := e.mlbom(ctx, "bom", "nc-timeout", "--version", "1", "--format", "xml")
	require.Equal(t, 0, code)
	require.Contains(t, xml, "timed out: no decision within the approval timeout of 3s")

	var decided []store.Approval
	out, _, code := e.mlbom(ctx, "bom", "nc-reject", "--version", "1", "--decisions", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &decided))
	require.Len(t, decided, 1)
	require.Equal(t, store.DecisionReject, decided[0].Decision)
	out, _, code = e.mlbom(ctx, "bom", "nc-reject", "--version", "1", "--decisions")
	require.Equal(t, 0, code)
	require.Contains(t, out, "nc-reject version 1")
	require.Contains(t, out, "bob")

	// The content hash is that of the content: the decision does not change it.
	db, err := store.Open(ctx, "sqlite:"+e.dbPath)
	require.NoError(t, err)
	defer db.Close()
	stored, err := db.GetVersion(ctx, "nc-reject", 1)
	require.NoError(t, err)
	served, _, _ := e.mlbom(ctx, "bom", "nc-reject", "--version", "1")
	require.NotEqual(t, string(stored.BOM), served, "served with its decision")
	hs, err := bom.ContentHash([]byte(served))
	require.NoError(t, err)
	require.Equal(t, stored.ContentHash, hs, "the served BOM has the stored content hash")

	if os.Getenv("MLBOM_UPDATE_REPLAY") == "1" {
		hist, err := e.srv.CLI(ctx, "workflow", "show", "--workflow-id", "scan/nc-timeout/1", "--output", "json")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("../../workflows/testdata/replay/scan-timeout-v2.json", []byte(hist), 0o644))
	}
}

// TestE2ELicenseProvenance: the same repository scanned with the Hub
// answering, with Hub look-ups off, and with the Hub unreachable; each BOM
// says how the referenced model's license is known, and the exception the
// scan reports says why it is unknown.
func TestE2ELicenseProvenance(t *testing.T) {
	e := newE2E(t)
	hub := serveHub(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	ln.Close()
	type mode struct {
		queue string
		env   []string
		want  map[string]string // purl prefix -> "source|location-or-revision|reason"
		why   string            // reason on the Hub model's exception, "" when none
	}
	const rev = "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"
	local := map[string]string{
		"pkg:generic/local/model":             "file|model/README.md:2|",
		"pkg:generic/model/model.safetensors": "file|model/README.md|", // the weights of the card's model
	}
	modes := map[string]mode{
		"hub": {"q-hub", []string{"MLBOM_HF_RESOLVE=true", "MLBOM_HF_ENDPOINT=" + hub.URL}, map[string]string{
			"pkg:huggingface/acme-ai/sentiment-bert": "hub|" + rev + "|",
			"pkg:huggingface/acme-ai/vanished-model": "unknown||Hub lookup failed",
		}, ""},
		"off": {"q-off", []string{"MLBOM_HF_RESOLVE=false", "MLBOM_HF_ENDPOINT=" + hub.URL}, map[string]string{
			"pkg:huggingface/acme-ai/sentiment-bert": "unknown||not looked up",
			"pkg:huggingface/acme-ai/vanished-model": "unknown||not looked up",
		}, "not looked up"},
		"offline": {"q-offline", []string{"MLBOM_HF_RESOLVE=true", "MLBOM_HF_ENDPOINT=" + closed}, map[string]string{
			"pkg:huggingface/acme-ai/sentiment-bert": "unknown||Hub unreachable",
			"pkg:huggingface/acme-ai/vanished-model": "unknown||Hub unreachable",
		}, "Hub unreachable"},
	}
	for _, m := range modes {
		e.startWorker(append([]string{"MLBOM_TASK_QUEUE=" + m.queue}, m.env...)...)
	}
	repo := makeRepoFrom(t, "repo-hub")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for name, m := range modes {
		t.Run(name, func(t *testing.T) {
			t.Setenv("MLBOM_TASK_QUEUE", m.queue)
			bomFile := filepath.Join(t.TempDir(), "bom.json")
			out, errOut, code := e.mlbom(ctx, "scan", repo, "--project", "prov-"+name, "-o", bomFile)
			require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			data, err := os.ReadFile(bomFile)
			require.NoError(t, err)
			require.NoError(t, bom.Validate(data))
			got := provenanceOf(t, data)
			for purl, w := range local {
				require.Equal(t, w, got[purl], "%s: license provenance of %s", name, purl)
			}
			for purl, w := range m.want {
				require.Equal(t, w, got[purl], "%s: license provenance of %s", name, purl)
			}
			require.Equal(t, "file|LICENSE|", got["app"], "the repository's own license")
			// The summary says why the exception is asked for.
			if m.why != "" {
				require.Contains(t, out, "pkg:huggingface/acme-ai/sentiment-bert NOASSERTION ("+m.why+"): timeout")
			} else {
				require.NotContains(t, out, "acme-ai/sentiment-bert NOASSERTION")
				require.Contains(t, out, "pkg:huggingface/acme-ai/vanished-model NOASSERTION (Hub lookup failed): timeout")
			}
		})
	}
}

// provenanceOf maps purls (without version or qualifiers) and "app" to
// "source|location-or-revision|reason".
func provenanceOf(t *testing.T, data []byte) map[string]string {
	t.Helper()
	type comp struct {
		PURL       string                         `json:"purl"`
		Properties []struct{ Name, Value string } `json:"properties"`
	}
	var doc struct {
		Metadata   struct{ Component comp } `json:"metadata"`
		Components []comp                   `json:"components"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	one := func(c comp) string {
		p := map[string]string{}
		for _, x := range c.Properties {
			p[x.Name] = x.Value
		}
		where := p["mlbom:license.location"]
		if where == "" {
			where = p["mlbom:license.revision"]
		}
		return p["mlbom:license.source"] + "|" + where + "|" + p["mlbom:license.reason"]
	}
	out := map[string]string{"app": one(doc.Metadata.Component)}
	for _, c := range doc.Components {
		k := c.PURL
		if i := strings.IndexAny(k, "@?"); i >= 0 {
			k = k[:i]
		}
		out[k] = one(c)
	}
	return out
}
