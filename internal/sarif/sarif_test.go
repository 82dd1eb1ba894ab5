package sarif

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mlbom/autopilot/internal/store"
)

const testBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
 "components":[{"type":"machine-learning-model","bom-ref":"pkg:huggingface/a/b","name":"a/b",
   "evidence":{"occurrences":[{"location":"app/main.py","line":12},{"location":"app/other.py"}]}}],
 "services":[{"bom-ref":"service:openai","name":"openai","properties":[{"name":"mlbom:occurrence","value":"app/llm.py:7"}]}],
 "vulnerabilities":[{"bom-ref":"v1","id":"MLBOM-MS-pickle.denylisted-global","description":"imports os.system",
   "ratings":[{"severity":"critical"}],
   "properties":[{"name":"mlbom:modelscan.file","value":"m/evil.pkl"},{"name":"mlbom:modelscan.offset","value":"27"},{"name":"mlbom:modelscan.rule","value":"pickle.denylisted-global"}]}]}`

func TestFromScan(t *testing.T) {
	log, err := FromScan(Scan{BOM: []byte(testBOM), ToolVersion: "1.2.3", Findings: []store.Finding{
		{ID: "f1", Policy: "drift.unpinned", Severity: "medium", Component: "pkg:huggingface/a/b", Message: "unpinned", Remediation: "pin it"},
		{ID: "f2", Policy: "sources.unapproved-service", Severity: "high", Component: "service:openai", Message: "unapproved"},
		{ID: "f3", Policy: "kubernetes.unapproved-registry", Severity: "low", Component: "k8s:Deployment/default/x", Message: "registry"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := log.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var back Log
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	run := back.Runs[0]
	if back.Version != "2.1.0" || run.Tool.Driver.Version != "1.2.3" || len(run.Tool.Driver.Rules) != 4 || len(run.Results) != 4 {
		t.Fatalf("%s", buf.Bytes())
	}
	byRule := map[string]Result{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex of %s points at %s", r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		}
		byRule[r.RuleID] = r
	}
	drift := byRule["drift.unpinned"]
	if drift.Level != "warning" || len(drift.Locations) != 2 || drift.Locations[0].PhysicalLocation.Region.StartLine != 12 ||
		drift.Locations[0].PhysicalLocation.ArtifactLocation.URI != "app/main.py" || drift.Message.Text != "unpinned Remediation: pin it" ||
		drift.PartialFingerprints["mlbomFinding/v1"] != "f1" {
		t.Errorf("drift: %+v", drift)
	}
	svc := byRule["sources.unapproved-service"]
	if svc.Level != "error" || svc.Locations[0].PhysicalLocation.ArtifactLocation.URI != "app/llm.py" || svc.Locations[0].PhysicalLocation.Region.StartLine != 7 {
		t.Errorf("service: %+v", svc)
	}
	k8s := byRule["kubernetes.unapproved-registry"]
	if k8s.Level != "note" || k8s.Locations[0].PhysicalLocation != nil || k8s.Locations[0].LogicalLocations[0].Name != "k8s:Deployment/default/x" {
		t.Errorf("k8s: %+v", k8s)
	}
	ms := byRule["MLBOM-MS-pickle.denylisted-global"]
	if ms.Level != "error" || ms.Locations[0].PhysicalLocation.ArtifactLocation.URI != "m/evil.pkl" || *ms.Locations[0].PhysicalLocation.Region.ByteOffset != 27 {
		t.Errorf("modelscan: %+v", ms)
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == "MLBOM-MS-pickle.denylisted-global" && (r.DefaultConfiguration.Level != "error" || r.Properties["security-severity"] != "9.5") {
			t.Errorf("rule %+v", r)
		}
	}
}

func TestFromScanEmpty(t *testing.T) {
	log, err := FromScan(Scan{BOM: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log.Write(&buf)
	if !bytes.Contains(buf.Bytes(), []byte(`"results": []`)) || !bytes.Contains(buf.Bytes(), []byte(`"rules": []`)) {
		t.Fatalf("empty scan: %s", buf.Bytes())
	}
	if _, err := FromScan(Scan{BOM: []byte("nope")}); err == nil {
		t.Fatal("garbage BOM accepted")
	}
}
