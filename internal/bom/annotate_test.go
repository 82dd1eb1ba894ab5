package bom

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAnnotate(t *testing.T) {
	_, stored := buildFixture(t, Options{ToolVersion: "1", Timestamp: fixedTime, SerialNumber: fixedSerial})
	llama := "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"
	at := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	decisions := []Approval{
		{Component: llama, License: "LicenseRef-llama3.1", Decision: "approve", Approver: "alice", Reason: "research use only, LEG-42",
			Time: at, Expires: at.Add(90 * 24 * time.Hour), ScanID: "scan/demo/1/run-a", Version: 3},
		{Component: llama, License: "NOASSERTION", Decision: "reject", Approver: "bob", Reason: "no terms on file",
			Time: at.Add(time.Minute), ScanID: "scan/demo/1/run-a", Version: 3},
		{Component: "pkg:generic/legacy/classifier.pkl", License: "NOASSERTION", Decision: "timeout",
			Reason: "no decision within the approval timeout of 1h0m0s", Time: at.Add(time.Hour), ScanID: "scan/demo/1/run-a", Version: 3},
		// Carried from an earlier scan; its component is gone from this BOM,
		// so the repository is the subject.
		{Component: "pkg:huggingface/gone/model", License: "CC-BY-NC-4.0", Decision: "approve", Approver: "carol",
			Time: at.Add(-time.Hour), ScanID: "scan/demo/0/run-z", Version: 2},
	}
	got, err := Annotate(stored, decisions)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(got); err != nil {
		t.Fatalf("annotated BOM is invalid: %v", err)
	}
	b, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if b.Annotations == nil || len(*b.Annotations) != 4 {
		t.Fatalf("annotations: %+v", b.Annotations)
	}
	byText := map[string]string{} // text -> annotator
	for _, a := range *b.Annotations {
		who := ""
		switch {
		case a.Annotator.Individual != nil:
			who = a.Annotator.Individual.Name
		case a.Annotator.Component != nil:
			who = "component:" + a.Annotator.Component.Name
		}
		byText[a.Text] = who + "@" + a.Timestamp + "#" + string((*a.Subjects)[0])
	}
	want := map[string]string{
		"License exception approved for " + llama + " (LicenseRef-llama3.1) by alice: research use only, LEG-42 (expires 2026-07-30T13:00:00Z) [decided in scan scan/demo/1/run-a, BOM version 3]":                     "alice@2026-05-01T13:00:00Z#" + llama,
		"License exception rejected for " + llama + " (NOASSERTION) by bob: no terms on file [decided in scan scan/demo/1/run-a, BOM version 3]":                                                                       "bob@2026-05-01T13:01:00Z#" + llama,
		"License exception for pkg:generic/legacy/classifier.pkl (NOASSERTION) timed out: no decision within the approval timeout of 1h0m0s; it counts as rejected [decided in scan scan/demo/1/run-a, BOM version 3]": "component:mlbom@2026-05-01T14:00:00Z#pkg:generic/legacy/classifier.pkl",
		"License exception approved for pkg:huggingface/gone/model (CC-BY-NC-4.0) by carol [decided in scan scan/demo/0/run-z, BOM version 2]":                                                                         "carol@2026-05-01T12:00:00Z#" + b.Metadata.Component.BOMRef,
	}
	for text, w := range want {
		if byText[text] != w {
			t.Errorf("annotation %q\n  got  %q\n  want %q", text, byText[text], w)
		}
	}

	// Decisions are about the content, not part of it.
	h1, _ := ContentHash(stored)
	h2, _ := ContentHash(got)
	if h1 != h2 {
		t.Errorf("content hash changed by annotations: %s != %s", h1, h2)
	}
	// Reading twice, or in another order, gives the same bytes; annotating
	// an annotated document adds nothing.
	rev := []Approval{decisions[3], decisions[2], decisions[1], decisions[0]}
	again, _ := Annotate(stored, rev)
	twice, _ := Annotate(got, decisions)
	if !bytes.Equal(got, again) || !bytes.Equal(got, twice) {
		t.Error("annotating is not deterministic and idempotent")
	}
	// No decisions: the stored bytes as they are.
	same, err := Annotate(stored, nil)
	if err != nil || !bytes.Equal(same, stored) {
		t.Error("a version without decisions is not served as stored")
	}
	// XML carries them too.
	xml, err := EncodeXML(b)
	if err != nil || !strings.Contains(string(xml), "timed out: no decision within") {
		t.Errorf("xml: %v", err)
	}
}

// The fast path (appending to the stored bytes) and the full one (decode,
// set, encode) give the same document.
func TestAnnotateFastPathMatchesEncoder(t *testing.T) {
	b, stored := buildFixture(t, Options{ToolVersion: "1", Timestamp: fixedTime, SerialNumber: fixedSerial})
	decisions := fixtureApprovals()
	decisions[0].ScanID, decisions[0].Version = "scan/x/run", 1
	decisions[0].Reason = "R&D only, <internal>"
	fast, err := Annotate(stored, decisions)
	if err != nil {
		t.Fatal(err)
	}
	anns := annotations(decisions, b.Metadata.Component.BOMRef, map[string]bool{decisions[0].Component: true}, fixedTime)
	b.Annotations = &anns
	full, err := EncodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	var a, c any
	if err := json.Unmarshal(fast, &a); err != nil {
		t.Fatalf("fast path output is not JSON: %v", err)
	}
	if err := json.Unmarshal(full, &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, c) {
		t.Errorf("fast path differs from the encoder:\n%s", fast[len(fast)-600:])
	}
	// Annotations are the last member the encoder writes for our BOMs, so
	// even the bytes agree (escaping and indentation included).
	if !bytes.Equal(fast, full) {
		t.Errorf("fast path bytes differ from the encoder's")
	}
	if err := Validate(fast); err != nil {
		t.Error(err)
	}
	// A document that already has annotations goes the full way and keeps them.
	legacy, err := Annotate(full, []Approval{{Component: decisions[0].Component, License: "X", Decision: "reject", Approver: "bob", Time: fixedTime}})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := Decode(legacy)
	if err != nil || lb.Annotations == nil || len(*lb.Annotations) != 2 {
		t.Fatalf("legacy annotations: %v %+v", err, lb)
	}
}
