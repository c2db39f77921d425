// Command push-agent is a small HTTP service profiled by github.com/grafana/pyroscope-go,
// which pushes CPU and memory profiles to a Pyroscope server. It drives a bounded load
// against itself on 127.0.0.1, flushes the profiler and exits.
//
//	push-agent -server http://127.0.0.1:4040 -app profile-lens-go-demo -requests 2000 -duration 25s
//
// It prints "LISTENING <url>" once serving and "DONE requests=<n>" when the load ended.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/grafana/pyroscope-go"

	"profilelens.test/agent-go/work"
)

func main() {
	server := flag.String("server", "http://127.0.0.1:4040", "Pyroscope server URL")
	app := flag.String("app", "profile-lens-go-demo", "application name (becomes service_name)")
	addr := flag.String("listen", "127.0.0.1:0", "loopback address to serve on")
	requests := flag.Int("requests", 100000, "maximum number of load requests")
	duration := flag.Duration("duration", 25*time.Second, "maximum load duration")
	pause := flag.Duration("pause", 2*time.Millisecond, "pause between load requests")
	upload := flag.Duration("upload-rate", 2*time.Second, "profile upload interval")
	tags := flag.String("tags", "env=test", "static tags, k=v,k=v")
	flag.Parse()

	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(5)
	staticTags := map[string]string{}
	for _, kv := range strings.Split(*tags, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			staticTags[k] = v
		}
	}
	profiler, err := pyroscope.Start(pyroscope.Config{
		ApplicationName: *app,
		ServerAddress:   *server,
		UploadRate:      *upload,
		Tags:            staticTags,
		Logger:          nil,
		ProfileTypes: []pyroscope.ProfileType{
			pyroscope.ProfileCPU,
			pyroscope.ProfileAllocObjects, pyroscope.ProfileAllocSpace,
			pyroscope.ProfileInuseObjects, pyroscope.ProfileInuseSpace,
		},
	})
	if err != nil {
		log.Fatalf("push-agent: starting the profiler: %v", err)
	}

	ln, err := work.Listen(*addr)
	if err != nil {
		log.Fatalf("push-agent: %v", err)
	}
	mux := http.NewServeMux()
	work.Handlers(mux, func(ctx context.Context, endpoint string, f func(context.Context)) {
		pyroscope.TagWrapper(ctx, pyroscope.Labels("endpoint", endpoint), f)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Printf("LISTENING %s\n", base)

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	n := work.DriveLoad(ctx, base, *requests, time.Now().Add(*duration), *pause)
	fmt.Printf("DONE requests=%d\n", n)

	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	_ = srv.Shutdown(shutdownCtx)
	// Stop uploads what was collected since the last upload.
	if err := profiler.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "push-agent: stopping the profiler: %v\n", err)
	}
	fmt.Println("FLUSHED")
}
