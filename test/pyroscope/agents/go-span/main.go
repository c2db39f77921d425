// Command span-agent: requests traced with OpenTelemetry, whose CPU samples
// github.com/grafana/otel-profiling-go labels with the span's span_id / span_name, pushed to a
// Pyroscope server by github.com/grafana/pyroscope-go — the setup Grafana documents for span
// profiles. Two kinds of requests with different hot code: "checkout" (priceCart) and "search"
// (searchIndex). It prints one "SPAN <name> <span_id> <trace_id>" line per request, then
// "FLUSHED" after the last upload.
//
//	span-agent -server http://127.0.0.1:4040 -app profile-lens-span-demo -requests 6 -span 400ms
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	otelpyroscope "github.com/grafana/otel-profiling-go"
	"github.com/grafana/pyroscope-go"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0x100000001b3
	return h
}

// priceCart is the checkout request's hot loop.
func priceCart(deadline time.Time) uint64 {
	var h uint64 = 0xcbf29ce484222325
	for time.Now().Before(deadline) {
		for i := 0; i < 20000; i++ {
			h = mix(h, uint64(i))
		}
	}
	return h
}

// searchIndex is the search request's hot loop (a sieve).
func searchIndex(deadline time.Time) int {
	count := 0
	for time.Now().Before(deadline) {
		composite := make([]bool, 100001)
		for i := 2; i <= 100000; i++ {
			if !composite[i] {
				count++
				for j := i * i; j <= 100000; j += i {
					composite[j] = true
				}
			}
		}
	}
	return count
}

var sink uint64

func main() {
	server := flag.String("server", "http://127.0.0.1:4040", "Pyroscope server URL")
	app := flag.String("app", "profile-lens-span-demo", "application name (service_name)")
	requests := flag.Int("requests", 6, "requests to run (alternating checkout, search)")
	spanLen := flag.Duration("span", 400*time.Millisecond, "CPU time of each request")
	flag.Parse()

	profiler, err := pyroscope.Start(pyroscope.Config{
		ApplicationName: *app,
		ServerAddress:   *server,
		UploadRate:      2 * time.Second,
		ProfileTypes:    []pyroscope.ProfileType{pyroscope.ProfileCPU},
	})
	if err != nil {
		log.Fatalf("span-agent: starting the profiler: %v", err)
	}
	// otel-profiling-go wraps the tracer provider: every local root span's goroutine gets the
	// pprof labels span_id and span_name while it runs
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	otel.SetTracerProvider(otelpyroscope.NewTracerProvider(tp))
	tracer := otel.Tracer("span-agent")

	for i := 0; i < *requests; i++ {
		name := "checkout"
		if i%2 == 1 {
			name = "search"
		}
		ctx, span := tracer.Start(context.Background(), name)
		deadline := time.Now().Add(*spanLen)
		if name == "checkout" {
			sink += priceCart(deadline)
		} else {
			sink += uint64(searchIndex(deadline))
		}
		sc := span.SpanContext()
		span.End()
		_ = ctx
		fmt.Printf("SPAN %s %s %s\n", name, sc.SpanID(), sc.TraceID())
	}
	_ = tp.Shutdown(context.Background())
	if err := profiler.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "span-agent: stopping the profiler: %v\n", err)
	}
	fmt.Printf("FLUSHED %d\n", sink%7)
}
