package work

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Handlers registers /slow, /alloc and /health on mux. wrap (may be nil) runs around
// each handler's work with the endpoint name, e.g. to attach profiling labels.
func Handlers(mux *http.ServeMux, wrap func(ctx context.Context, endpoint string, f func(context.Context))) {
	if wrap == nil {
		wrap = func(ctx context.Context, _ string, f func(context.Context)) { f(ctx) }
	}
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		n := intParam(r, "n", 60000)
		var res int
		wrap(r.Context(), "/slow", func(context.Context) { res = SlowPrimeCount(n) })
		fmt.Fprintf(w, "primes below %d: %d\n", n, res)
	})
	mux.HandleFunc("/alloc", func(w http.ResponseWriter, r *http.Request) {
		rows := intParam(r, "rows", 2000)
		var res int
		wrap(r.Context(), "/alloc", func(context.Context) { res = BuildAllocReport(rows) })
		fmt.Fprintf(w, "rows: %d\n", res)
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && v > 0 && v <= 10_000_000 {
		return v
	}
	return def
}

// Listen opens addr (must be a loopback address such as 127.0.0.1:0).
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to listen on %q: only loopback addresses are allowed", addr)
	}
	return net.Listen("tcp", addr)
}

// DriveLoad sends a bounded load to base (at most requests requests, until deadline):
// /slow each time, /alloc every second request, pausing pause between requests.
// It returns the number of requests that succeeded.
func DriveLoad(ctx context.Context, base string, requests int, deadline time.Time, pause time.Duration) int {
	client := &http.Client{Timeout: 10 * time.Second}
	ok := 0
	for i := 0; i < requests && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		path := "/slow"
		if i%2 == 1 {
			path = "/alloc"
		}
		resp, err := client.Get(base + path)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ok++
			}
		}
		if pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	}
	return ok
}
