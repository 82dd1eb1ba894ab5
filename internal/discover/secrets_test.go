package discover

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
)

func TestRedactSecretsKeepsSharedPropsAndRecordsKinds(t *testing.T) {
	shared := map[string]string{"args": "--verbose"}
	ss := []asset.Sighting{
		{Kind: asset.KindTool, Name: "a", URL: "https://u:Pw0rd-Secret@mcp.example.com/sse?api_key=QueryKey123", Props: shared},
		{Kind: asset.KindTool, Name: "b", Props: shared},
		{Kind: asset.KindService, Name: "gpt-4o", Props: map[string]string{"args": "--token ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3sOnly12", asset.PropSecrets: "secret command-line flag value"}},
	}
	redactSecrets(ss)
	if strings.Contains(ss[0].URL, "Pw0rd-Secret") || strings.Contains(ss[0].URL, "QueryKey123") || !strings.Contains(ss[0].URL, "mcp.example.com/sse") {
		t.Errorf("URL %q", ss[0].URL)
	}
	if got := ss[0].Props[asset.PropSecrets]; got != "credentials in a URL,secret URL parameter" {
		t.Errorf("kinds %q", got)
	}
	if _, ok := ss[1].Props[asset.PropSecrets]; ok || len(shared) != 1 {
		t.Errorf("a sibling sharing the Props map is marked: %v", ss[1].Props)
	}
	if got := ss[2].Props[asset.PropSecrets]; got != "GitHub token,secret command-line flag value" {
		t.Errorf("kinds merged %q", got)
	}
	if strings.Contains(ss[2].Props["args"], "ghp_") {
		t.Errorf("args %q", ss[2].Props["args"])
	}
}

// BenchmarkRedactSecrets: the pass over sightings of a large repository,
// almost none of which holds a secret.
func BenchmarkRedactSecrets(b *testing.B) {
	base := make([]asset.Sighting, 1000)
	for i := range base {
		base[i] = asset.Sighting{Kind: asset.KindModel, Name: fmt.Sprintf("acme/model-%d", i), Path: fmt.Sprintf("src/pkg%d/train.py", i),
			URL: "https://huggingface.co/acme/model", Props: map[string]string{"relation": "base_model", "framework": "transformers"}}
	}
	ss := make([]asset.Sighting, len(base))
	b.ReportAllocs()
	for b.Loop() {
		copy(ss, base)
		redactSecrets(ss)
	}
}
