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
	"syscall"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// LatencyUsToxic delays every chunk by latency_us ± jitter_us microseconds, exactly as Toxiproxy's LatencyToxic
// does in milliseconds (toxics/latency.go): the delay counts from when the chunk arrived at the proxy.
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
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			sleep := t.delay() - time.Since(c.Timestamp)
			if sleep <= 0 {
				stub.Output <- c
				continue
			}
			select {
			case <-time.After(sleep):
				c.Timestamp = c.Timestamp.Add(sleep)
				stub.Output <- c
			case <-stub.Interrupt:
				stub.Output <- c
				return
			}
		}
	}
}

func main() {
	host := flag.String("host", "127.0.0.1", "host for the API")
	port := flag.String("port", "8474", "port for the API")
	version := flag.Bool("version", false, "print the version")
	flag.Parse()
	if *version {
		fmt.Printf("toxiproxy-server version %s (lab build, + latency_us)\n", toxiproxy.Version)
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
