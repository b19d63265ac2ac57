// The lab's latency injector: Toxiproxy v2.5.0's server (the same API, the same toxics) plus one toxic of our
// own, "latency_us", because Toxiproxy's "latency" toxic counts whole milliseconds and scenario 09 needs 0.25 ms
// (a same-zone round trip). Built by runner/bin/build-toxiproxy; run by the benchmark runner for scenario 09.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// LatencyUsToxic delays every chunk by latency_us ± jitter_us microseconds, as Toxiproxy's LatencyToxic does in
// milliseconds (toxics/latency.go), with two differences measured on loopback: the wait is precise below a
// millisecond (waitUntil), and it counts from when the chunk reached this toxic, not the proxy (Pipe).
type LatencyUsToxic struct {
	LatencyUs int64 `json:"latency_us"`
	JitterUs  int64 `json:"jitter_us"`
}

func (t *LatencyUsToxic) GetBufferSize() int { return 1024 }

func (t *LatencyUsToxic) delay() time.Duration {
	d := t.LatencyUs
	if t.JitterUs > 0 {
		//#nosec G404 -- jitter, not security
		d += rand.Int63n(t.JitterUs*2) - t.JitterUs
	}
	return time.Duration(d) * time.Microsecond
}

func (t *LatencyUsToxic) Pipe(stub *toxics.ToxicStub) {
	var free time.Time // when the previous chunk left this toxic
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			// A chunk that found the toxic idle waits its delay from now: the proxy's own handling (measured by
			// scenario 09's hop-0ms step) is added to, not absorbed by, the latency (from arrival, ~0.1 ms of the
			// 0.125 ms of a 0.25 ms round trip went missing). One that queued behind the previous chunk (a message
			// of several chunks) counts from its arrival, as in Toxiproxy's toxic, so that the delays overlap.
			start := time.Now()
			if c.Timestamp.Before(free) {
				start = c.Timestamp
			}
			deadline := start.Add(t.delay())
			interrupted := !waitUntil(deadline, stub.Interrupt)
			c.Timestamp = deadline
			stub.Output <- c
			free = time.Now()
			if interrupted {
				return
			}
		}
	}
}

// spinWindow: how long before a deadline waitUntil stops sleeping on the runtime's timers and yields in a loop.
// Go's timers wake up to 1 ms late on Linux when every thread is parked (netpoll's epoll_wait counts whole
// milliseconds: golang/go#44343), so a plain sleep of 0.125 ms took ~1 ms and the "0.25 ms" step added ~2 ms per
// round trip; 1.2 ms covers that rounding and a scheduling delay.
const spinWindow = 1200 * time.Microsecond

// waitUntil returns at the deadline (true) or when interrupted (false). Sleeps until spinWindow before it, then
// yields to the other goroutines until it passes: precise to microseconds for at most spinWindow of CPU per chunk.
func waitUntil(deadline time.Time, interrupt <-chan struct{}) bool {
	if d := time.Until(deadline) - spinWindow; d > 0 {
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-interrupt:
			timer.Stop()
			return false
		}
	}
	for time.Now().Before(deadline) {
		select {
		case <-interrupt:
			return false
		default:
			runtime.Gosched()
		}
	}
	return true
}

func main() {
	host := flag.String("host", "127.0.0.1", "host for the API")
	port := flag.String("port", "8474", "port for the API")
	version := flag.Bool("version", false, "print the version")
	flag.Parse()
	if *version {
		fmt.Printf("toxiproxy-server version %s (lab build 2, + latency_us with precise waits)\n", toxiproxy.Version)
		return
	}
	toxics.Register("latency_us", new(LatencyUsToxic))
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		os.Exit(0)
	}()
	logger := zerolog.New(os.Stderr).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), logger)
	server.Listen(*host, *port)
}
