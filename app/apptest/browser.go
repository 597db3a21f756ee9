package apptest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/web"
)

// Listen serves srv on a free loopback port until the test ends and returns its
// base URL.
func Listen(t testing.TB, srv *web.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// chromium finds Debian's Chromium (or another Chrome) on this machine.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts headless Chromium for the test and returns a context to drive it
// with chromedp. Without Chromium the test skips, saying why — except under CI
// (CI=true), where a missing browser is a failure.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed, and CI=true requires the browser tests to run (apt-get install -y chromium)")
		}
		t.Skip("Chromium is not installed (apt-get install -y chromium); skipping the browser test")
	}
	// Chromium may still be writing its profile as it exits, which t.TempDir's own
	// cleanup would report as a failure: remove the profile ourselves, after it quits.
	profile, err := os.MkdirTemp("", "ecoz-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting Chromium %s: %v", path, err)
	}
	return ctx
}

// SignIn signs in through a sign-in form (the centre's and the registry's have
// the same fields): it opens page, fills in the login and the password, and
// submits; what to wait for after is the caller's.
func SignIn(page, login, password string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(page),
		chromedp.WaitVisible("#login"),
		chromedp.SendKeys("#login", login),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
	}
}

// Screenshot saves a full-page PNG of the current page as a test artifact in
// artifacts/screenshots (not committed), named after the test and name.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join(Root(), "artifacts", "screenshots")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, filepath.Base(t.Name())+"-"+name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
