// Package browsertest starts a real headless Chromium for tests and
// benchmarks, driven over the DevTools protocol (chromedp). The browser is
// the Debian package `chromium`; .ci/run installs it when missing and sets
// MLBOM_REQUIRE_CHROMIUM=1, so that on CI a missing browser fails the test
// instead of skipping it.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Find returns the browser to run: $MLBOM_CHROMIUM, else the first of
// chromium, chromium-browser, google-chrome on $PATH.
func Find() (string, error) {
	if p := os.Getenv("MLBOM_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MLBOM_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium: install the Debian package chromium (.ci/run does) or set MLBOM_CHROMIUM")
}

// Require returns the browser path, or skips t (fails it when
// MLBOM_REQUIRE_CHROMIUM=1).
func Require(t testing.TB) string {
	t.Helper()
	p, err := Find()
	if err != nil {
		if os.Getenv("MLBOM_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("MLBOM_REQUIRE_CHROMIUM=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return p
}

// Options are the flags a headless Chromium needs here: running as root
// needs --no-sandbox, and with no network beyond loopback every background
// service (updates, sync, QUIC probes, component downloads) is turned off
// or it keeps knocking on the closed network. Each browser gets a fresh
// profile in dir.
func Options(path, dir string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-features", "MediaRouter,OptimizationHints,Translate"),
		chromedp.WindowSize(1360, 900),
	)
}

// New starts a browser for t and returns a context to drive a tab with;
// the browser is closed (and its process ended) when t ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := Require(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), Options(path, t.TempDir())...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}
