package report

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // the screenshot
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
)

// findChromium returns a headless-capable Chromium, or skips; with
// PRIMEBENCH_REQUIRE_TOOLS=1 (scripts/test.sh installs Debian's chromium)
// a missing one fails.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	testworker.Missing(t, "no Chromium")
	return ""
}

func loadFile(t *testing.T, path string) *results.File {
	t.Helper()
	f, err := results.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// browserPage is a page to open and what must be on it.
type browserPage struct {
	name   string
	html   []byte
	labels []string // strategies and machines the page must name
}

func runPage(t *testing.T, name string, f *results.File) browserPage {
	var buf bytes.Buffer
	if err := HTML(&buf, f); err != nil {
		t.Fatal(err)
	}
	p := browserPage{name: name, html: buf.Bytes(), labels: []string{f.Machine.Name()}}
	for _, s := range f.Strategies {
		p.labels = append(p.labels, s.Name)
	}
	return p
}

func comparePage(t *testing.T, name string, files ...*results.File) browserPage {
	var inputs []compare.Input
	p := browserPage{name: name}
	for i, f := range files {
		inputs = append(inputs, compare.Input{Path: f.Machine.Name() + ".json", File: f})
		p.labels = append(p.labels, f.Machine.Name())
		if i == 0 {
			for _, s := range f.Strategies {
				p.labels = append(p.labels, s.Name)
			}
		}
	}
	c, err := compare.New(inputs, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := CompareHTML(&buf, c); err != nil {
		t.Fatal(err)
	}
	p.html = buf.Bytes()
	return p
}

func fleetPage(t *testing.T, name string, machines int) browserPage {
	fl := testFleet(t, machines, map[int]float64{1: 0.25})
	var buf bytes.Buffer
	if err := FleetHTML(&buf, fl); err != nil {
		t.Fatal(err)
	}
	p := browserPage{name: name, html: buf.Bytes(), labels: []string{fmt.Sprintf("%d machines", machines)}}
	for _, k := range fl.Rows {
		p.labels = append(p.labels, k.Label)
	}
	for _, m := range fl.Outliers() {
		p.labels = append(p.labels, m.Label)
	}
	return p
}

// The pages as a person sees them: opened in headless Chromium from
// file://, in a window 1,400 pixels wide, with every network request
// routed to a closed port, each page loads with no console error and no
// request leaving the file, nothing runs off its right edge (not the page,
// not a table inside its scrolling box), every chart is an SVG with a
// nonzero box, every strategy and machine is named on it, and its
// screenshot is not blank.
func TestPagesInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the goldens check what the pages say; the full suite opens them in Chromium")
	}
	chromium := findChromium(t)
	run, scan := load(t), loadFile(t, filepath.Join("..", "chart", "testdata", "scan.json"))
	third := slower(t)
	third.Machine.Label = "third-box"
	pages := []browserPage{
		runPage(t, "run", run),   // 14 strategies, the CPython pairs, schema 2
		runPage(t, "scan", scan), // a worker scan: the scaling chart
		comparePage(t, "compare-2", run, slower(t)),
		comparePage(t, "compare-3", run, slower(t), third),
		fleetPage(t, "fleet-3", 3),
		fleetPage(t, "fleet-300", 300),
	}
	dir := t.TempDir()
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(pageWidth, 1600),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		// The network is unreachable: anything a page fetched would go here
		// and fail, and show up in the requests recorded below.
		chromedp.ProxyServer("127.0.0.1:9"),
	)
	defer cancel()
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			if len(p.html) > 1500<<10 {
				t.Errorf("page of %d bytes, over 1.5 MB", len(p.html))
			}
			for _, problem := range inspect(t, alloc, filepath.Join(dir, p.name+".html"), p) {
				t.Error(problem)
			}
		})
	}
	// The checks can fail: a page that fetches an image, logs an error
	// and draws a chart of no size is caught on each count.
	bad := browserPage{name: "bad", labels: []string{"serial"}, html: []byte(`<!doctype html><html><body><main>
<img src="http://192.0.2.1/x.png"><script>console.error("broken")</script>
<figure><svg width="0" height="0"></svg></figure><div class="table-wrap" style="overflow-x:auto"><table><tr><td style="white-space:nowrap;color:#fff">` +
		strings.Repeat("wide ", 400) + `</td></tr></table></div><footer>x</footer></main></body></html>`)}
	found := strings.Join(inspect(t, alloc, filepath.Join(dir, "bad.html"), bad), "\n")
	for _, want := range []string{"requested http://192.0.2.1/x.png", "logged", "not drawn", `does not show "serial"`, "blank", "runs off"} {
		if !strings.Contains(found, want) {
			t.Errorf("a bad page went unnoticed: want %q among %q", want, found)
		}
	}
}

// inspect opens page p (written to path) and returns every way it falls
// short of what a person should see.
func inspect(t *testing.T, alloc context.Context, path string, p browserPage) []string {
	t.Helper()
	if err := os.WriteFile(path, p.html, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	var mu sync.Mutex
	var requests, logged []string
	listen := func(ev any) { // runs in the tab's message loop: records, nothing more
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == "error" || ev.Type == "warning" || ev.Type == "assert" {
				logged = append(logged, "console "+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			logged = append(logged, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				logged = append(logged, "log: "+ev.Entry.Text)
			}
		}
	}
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(listen))
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	defer cancelTimeout()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	figures, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure").length`))
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct{ Width, Height float64 }](`[...document.querySelectorAll("figure")].map(f => {
		const s = f.querySelector("svg");
		if (!s) return {Width: 0, Height: 0};
		const r = s.getBoundingClientRect();
		return {Width: r.width, Height: r.height};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	// What runs off: the page wider than the window, or a box (a table's
	// scrolling wrapper) whose content is wider than the box.
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		const de = document.documentElement;
		if (de.scrollWidth > window.innerWidth) out.push("the page is " + de.scrollWidth + " px wide in a window of " + window.innerWidth);
		for (const w of document.querySelectorAll(".table-wrap, pre")) {
			if (w.scrollWidth > w.clientWidth + 1) out.push((w.querySelector("h2, caption")||w.parentElement.querySelector("h2")||{innerText: w.tagName}).innerText + ": " + w.scrollWidth + " px of content in a box of " + w.clientWidth);
		}
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the last events of the load
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, r := range requests {
		if r != url && !strings.HasPrefix(r, "data:") {
			out = append(out, "the page requested "+r)
		}
	}
	if len(logged) > 0 {
		out = append(out, fmt.Sprintf("the page logged %v", logged))
	}
	if figures == 0 || len(boxes) != figures {
		out = append(out, fmt.Sprintf("%d figures, %d measured", figures, len(boxes)))
	}
	for i, b := range boxes {
		if b.Width <= 0 || b.Height <= 0 {
			out = append(out, fmt.Sprintf("chart %d is %gx%g: not drawn", i, b.Width, b.Height))
		}
	}
	for _, label := range p.labels {
		if !strings.Contains(text, label) {
			out = append(out, fmt.Sprintf("the page does not show %q", label))
		}
	}
	if err := notBlank(shot); err != nil {
		out = append(out, err.Error())
	}
	for _, o := range overflow {
		out = append(out, "runs off the page: "+o)
	}
	return out
}

// pageWidth is the window the pages must fit.
const pageWidth = 1400

// notBlank fails a screenshot that is one colour, or nearly so: a page
// that did not render.
func notBlank(shot []byte) error {
	img, _, err := image.Decode(bytes.NewReader(shot))
	if err != nil {
		return err
	}
	colours := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	if len(colours) < 20 {
		return fmt.Errorf("the screenshot is blank: %d colours", len(colours))
	}
	return nil
}
