// Command pprof-service is a small HTTP service exposing Go's net/http/pprof endpoints
// (/debug/pprof/profile?seconds=N, /heap, /allocs, ...) for the live-endpoint path.
// It runs a bounded background load against itself on 127.0.0.1 so CPU profiles taken
// meanwhile contain work.SlowPrimeCount, and exits when -duration has passed.
//
// It prints "LISTENING <url>" once serving and "DONE requests=<n>" when it stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/pprof"
	"os/signal"
	"syscall"
	"time"

	"profilelens.test/agent-go/work"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address to serve on")
	requests := flag.Int("requests", 1000000, "maximum number of load requests")
	duration := flag.Duration("duration", 60*time.Second, "how long to run (load and serving)")
	pause := flag.Duration("pause", 5*time.Millisecond, "pause between load requests")
	noLoad := flag.Bool("no-load", false, "serve only; drive no load")
	flag.Parse()

	ln, err := work.Listen(*addr)
	if err != nil {
		log.Fatalf("pprof-service: %v", err)
	}
	mux := http.NewServeMux()
	work.Handlers(mux, nil)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Printf("LISTENING %s\n", base)

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	deadline := time.Now().Add(*duration)
	n := 0
	if !*noLoad {
		n = work.DriveLoad(ctx, base, *requests, deadline, *pause)
	}
	// Keep serving (e.g. a CPU profile still being collected) until the deadline.
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(deadline)):
	}
	fmt.Printf("DONE requests=%d\n", n)
	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	_ = srv.Shutdown(shutdownCtx)
}
