// Command mlbom discovers AI assets, builds CycloneDX ML-BOMs, stores and
// diffs their versions, and judges them by policy — as durable Temporal
// workflows, or in-process with --local.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/printable"
	"github.com/mlbom/autopilot/internal/redact"
)

// Exit codes scripts can rely on.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitVerdict = 3 // --fail-on threshold reached
	// exitInterrupted: stopped by SIGINT or SIGTERM (128 + SIGINT, as
	// shells report it).
	exitInterrupted = 130
)

// exitError carries a specific exit code.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func withCode(code int, format string, args ...any) error {
	return &codeError{code: code, err: fmt.Errorf(format, args...)}
}

type command struct {
	name, usage string
	run         func(ctx context.Context, cfg *config.Config, args []string) error
}

func commands() []command {
	return []command{
		{"scan", "scan SOURCE [--project NAME] [--ref REF] [-o FILE] [--local] [--fail-on deny|warn]", runScan},
		{"worker", "worker                       run the Temporal worker (task queue mlbom-scan)", runWorker},
		{"bom", "bom PROJECT [--version N] [-o FILE] [--format json|xml] [--decisions [--json]]", runBOM},
		{"diff", "diff PROJECT [--from N] [--to M] [--json]", runDiff},
		{"search", "search \"QUERY\" [--kind K] [--project P] [-k 10] [--json]", runSearch},
		{"approve", "approve WORKFLOW_ID (--component REF | --all) --reason TEXT [--approver NAME] [--expires RFC3339]", runApprove},
		{"reject", "reject WORKFLOW_ID (--component REF | --all) --reason TEXT [--approver NAME]", runReject},
		{"approvals", "approvals [--pending] [--project P] [--json]", runApprovals},
		{"serve", "serve [--addr 127.0.0.1:8080]          dashboard, HTTP API and /metrics (sign in with a token)", runServe},
		{"token", "token create --role viewer|operator|approver|admin --name NAME [--expires T] | list [--json] | revoke NAME", runToken},
		{"schedule", "schedule create PROJECT SOURCE [--cron EXPR | --every DUR] [--now] | list | delete PROJECT", runSchedule},
		{"modelscan", "modelscan PATH... [--json|--sarif] [--fail-on SEVERITY]", runModelscan},
		{"keygen", "keygen -o PREFIX [--type ecdsa-p256|ed25519] | keygen --tls -o PREFIX [--host NAME]...", runKeygen},
		{"sign", "sign [--key KEY] (BOM.json -o ATTESTATION | --project P [--version N] | --model DIR)", runSign},
		{"verify", "verify [--key PUB] (--bom ATTESTATION | --project P [--version N]) [PATH...] | verify --model DIR", runVerify},
		{"admission", "admission --tls-cert F --tls-key F [--addr :8443] [--enforce=false]   Kubernetes validating webhook", runAdmission},
		{"trace", "trace [--stdout] [--project P] [--endpoint HOST[:PORT][=NAME]]... [--source auto|ebpf|proc]  runtime tracer", runTrace},
		{"version", "version", runVersion},
	}
}

func main() { os.Exit(runMain(os.Args[1:])) }

// runMain runs one command whose context SIGINT and SIGTERM cancel.
func runMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, os.Stdout, os.Stderr)
}

// streams are where a command writes; run puts them in the context so that
// concurrent runs (tests) do not share them.
type streams struct{ out, err io.Writer }

type streamsKey struct{}

func streamsOf(ctx context.Context) streams {
	if s, ok := ctx.Value(streamsKey{}).(streams); ok {
		return s
	}
	return streams{out: os.Stdout, err: os.Stderr}
}

func stdoutOf(ctx context.Context) io.Writer { return streamsOf(ctx).out }
func stderrOf(ctx context.Context) io.Writer { return streamsOf(ctx).err }

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	ctx = context.WithValue(ctx, streamsKey{}, streams{out: out, err: errOut})
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(errOut)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(errOut, "mlbom: configuration:", err)
		return exitUsage
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, cfg, args[1:])
		if err == nil {
			return exitOK
		}
		if ctx.Err() != nil {
			// The run was cancelled (Ctrl-C, SIGTERM): say so plainly
			// rather than print the chain of "context canceled" errors.
			fmt.Fprintf(errOut, "mlbom %s: interrupted (%v): stopped before finishing\n", c.name, context.Cause(ctx))
			return exitInterrupted
		}
		var ce *codeError
		if errors.As(err, &ce) {
			if ce.err != nil && ce.err.Error() != "" {
				printError(errOut, c.name, ce.err)
			}
			return ce.code
		}
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		printError(errOut, c.name, err)
		return exitError
	}
	fmt.Fprintf(errOut, "mlbom: unknown command %q\n\n", args[0]) // %q escapes
	usage(errOut)
	return exitUsage
}

// printError is the last line of defence: whatever an error carries (a URL
// a library repeated, a server's echo), no secret reaches the terminal.
func printError(w io.Writer, cmd string, err error) {
	// Joined errors keep their line breaks, indented so that no line of an
	// error can pass for a line of ordinary output.
	msg := printable.Lines(redact.String(err.Error()))
	fmt.Fprintln(w, "mlbom "+cmd+":", strings.ReplaceAll(msg, "\n", "\n  "))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mlbom COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintln(w, "  "+c.usage)
	}
	fmt.Fprintln(w, "\nConfiguration comes from MLBOM_* environment variables; see README.md.")
}

// parseArgs parses flags that may come before or after positional arguments
// (`mlbom scan ./repo --project demo`), which the flag package alone does not.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &codeError{code: exitUsage, err: err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlags(ctx context.Context, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("mlbom "+name, flag.ContinueOnError)
	fs.SetOutput(stderrOf(ctx))
	return fs
}

func writeOutput(ctx context.Context, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := stdoutOf(ctx).Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// row is one line of a tabwriter table: cells escaped (a tab or newline in
// a name from a scanned repository would break the table or fake a row).
func row(cells ...string) string {
	for i, c := range cells {
		cells[i] = printable.Line(c)
	}
	return strings.Join(cells, "\t") + "\n"
}

// printJSON writes v as indented JSON to the command's standard output.
func printJSON(ctx context.Context, v any) error {
	enc := json.NewEncoder(stdoutOf(ctx))
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
