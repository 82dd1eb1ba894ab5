package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// ciStep is one shell step of a CI file, with the variables it runs with.
type ciStep struct {
	name string
	run  string
	env  map[string]string
}

// githubSteps reads the `run` steps of deploy/ci/github-actions.yml.
func githubSteps(t *testing.T) []ciStep {
	data, err := os.ReadFile("../../deploy/ci/github-actions.yml")
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Env   map[string]string `yaml:"env"`
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	job, ok := wf.Jobs["mlbom"]
	require.True(t, ok, "job mlbom")
	var out []ciStep
	var uploads bool
	for _, s := range job.Steps {
		if s.Uses != "" && strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif") {
			uploads = s.With["sarif_file"] == "mlbom.sarif" && s.If == "always()"
		}
		if s.Run != "" {
			out = append(out, ciStep{name: s.Name, run: s.Run, env: job.Env})
		}
	}
	require.True(t, uploads, "the SARIF the scan writes is uploaded even when the gate fails")
	return out
}

// gitlabSteps reads the script lines of deploy/ci/gitlab-ci.yml.
func gitlabSteps(t *testing.T) []ciStep {
	data, err := os.ReadFile("../../deploy/ci/gitlab-ci.yml")
	require.NoError(t, err)
	var ci map[string]struct {
		Variables    map[string]string `yaml:"variables"`
		BeforeScript []string          `yaml:"before_script"`
		Script       []string          `yaml:"script"`
		Artifacts    struct {
			When  string   `yaml:"when"`
			Paths []string `yaml:"paths"`
		} `yaml:"artifacts"`
	}
	require.NoError(t, yaml.Unmarshal(data, &ci))
	job, ok := ci["mlbom"]
	require.True(t, ok, "job mlbom")
	require.Equal(t, "always", job.Artifacts.When)
	require.Contains(t, job.Artifacts.Paths, "mlbom.sarif")
	var out []ciStep
	for _, l := range job.BeforeScript {
		out = append(out, ciStep{name: "before_script", run: l, env: job.Variables})
	}
	for _, l := range job.Script {
		out = append(out, ciStep{name: "script", run: l, env: job.Variables})
	}
	return out
}

// ciRepo is a checkout: the test repository with a signed model and the
// trusted public key committed at .mlbom/trusted.pub.
func ciRepo(t *testing.T, mlbom string) string {
	repo := makeRepo(t)
	keyDir := t.TempDir()
	key := filepath.Join(keyDir, "k")
	out, err := exec.Command(mlbom, "keygen", "-o", key).CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command(mlbom, "sign", "--key", key, "--model", filepath.Join(repo, "model")).CombinedOutput()
	require.NoError(t, err, string(out))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, ".mlbom"), 0o755))
	pub, _ := os.ReadFile(key + ".pub")
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".mlbom", "trusted.pub"), pub, 0o644))
	return repo
}

// runCI runs the steps in the checkout the way the runner would (bash -e,
// the job's variables, the runner's own variables); the step that builds
// mlbom from the module proxy is replaced by the binary under test on PATH.
// It returns the name of the first failing step, or "".
func runCI(t *testing.T, steps []ciStep, repo, binDir string, runnerEnv map[string]string) (failed, output string) {
	t.Helper()
	var all strings.Builder
	for _, s := range steps {
		if strings.Contains(s.run, "go install github.com/mlbom/autopilot/cmd/mlbom") {
			continue // the build: here, the binary under test is on PATH
		}
		env := os.Environ()
		env = append(env, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "MLBOM_HF_RESOLVE=false")
		for k, v := range runnerEnv {
			env = append(env, k+"="+v)
		}
		lookup := func(k string) string { return runnerEnv[k] }
		for k, v := range s.env {
			env = append(env, k+"="+os.Expand(v, lookup))
		}
		cmd := exec.Command("bash", "-eo", "pipefail", "-c", s.run)
		cmd.Dir = repo
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		all.WriteString("$ " + s.run + "\n" + string(out))
		if err != nil {
			return s.name + ": " + s.run, all.String()
		}
	}
	return "", all.String()
}

// TestCIFiles: the GitHub Actions workflow and the GitLab CI job in
// deploy/ci run, as written, against a checkout: they pass on a clean
// repository with a signed model, fail at the verify step when a signed file
// changed, and fail at the scan step on a deny verdict while still writing
// the SARIF to upload.
func TestCIFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mlbom; -short")
	}
	binDir := t.TempDir()
	mlbom := filepath.Join(binDir, "mlbom")
	out, err := exec.Command("go", "build", "-o", mlbom, ".").CombinedOutput()
	require.NoError(t, err, string(out))

	for name, steps := range map[string][]ciStep{"github": githubSteps(t), "gitlab": gitlabSteps(t)} {
		t.Run(name, func(t *testing.T) {
			localEnv(t)
			runner := func(repo string) map[string]string {
				return map[string]string{
					"RUNNER_TEMP": t.TempDir(), "GITHUB_REPOSITORY": "acme/demo",
					"CI_PROJECT_DIR": repo, "CI_PROJECT_NAME": "demo",
				}
			}
			repo := ciRepo(t, mlbom)
			failed, log := runCI(t, steps, repo, binDir, runner(repo))
			require.Empty(t, failed, log)
			require.FileExists(t, filepath.Join(repo, "mlbom.sarif"))
			require.FileExists(t, filepath.Join(repo, "bom.json"))
			require.Contains(t, log, "model.sig: valid")

			// A signed model file changed after signing: the verify step stops the job.
			repo = ciRepo(t, mlbom)
			w := filepath.Join(repo, "model", "model.safetensors")
			b, _ := os.ReadFile(w)
			require.NoError(t, os.WriteFile(w, append(b, 1), 0o644))
			failed, log = runCI(t, steps, repo, binDir, runner(repo))
			require.Contains(t, failed, "mlbom verify --model", log)
			require.Contains(t, log, "changed model.safetensors")

			// A pickle that runs os.system: the scan denies, and the SARIF is there.
			repo = ciRepo(t, mlbom)
			require.NoError(t, os.WriteFile(filepath.Join(repo, "evil.pkl"), []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."), 0o644))
			failed, log = runCI(t, steps, repo, binDir, runner(repo))
			require.Contains(t, failed, "mlbom scan", log)
			require.Contains(t, log, "verdict deny is at or above --fail-on deny")
			sarifData, err := os.ReadFile(filepath.Join(repo, "mlbom.sarif"))
			require.NoError(t, err)
			require.Contains(t, string(sarifData), "evil.pkl")
		})
	}
}
