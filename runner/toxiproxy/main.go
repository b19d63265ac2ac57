// The lab's latency injector: Toxiproxy v2.5.0's server (the same API, the same toxics) plus one toxic of our
// own, "latency_us", because Toxiproxy's "latency" toxic counts whole milliseconds and scenario 09 needs 0.25 ms
// (a same-zone round trip). Built by runner/bin/build-toxiproxy; run by the benchmark runner for scenario 09.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// LatencyUsToxic delays every chunk by latency_us ± jitter_us microseconds, as Toxiproxy's LatencyToxic does in
// milliseconds (toxics/latency.go), with two differences measured on loopback: the wait is precise below a
// millisecond (preciseTimer), and it counts from when the chunk reached this toxic, not the proxy (Pipe).
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
	timer, _ := newPreciseTimer() // nil without a timerfd: then the runtime's timers, late by up to 1 ms
	defer timer.close()
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
			timer.waitUntil(deadline)
			c.Timestamp = deadline
			stub.Output <- c
			free = time.Now()
		}
	}
}

// preciseTimer waits on a Linux timerfd read through Go's netpoller. Go's own timers wake up to 1 ms late when
// every thread is parked (netpoll's epoll_wait counts whole milliseconds: golang/go#44343), so a plain sleep of
// 0.125 ms took ~1 ms and the "0.25 ms" step added ~2 ms per round trip. A timerfd is a kernel hrtimer: it makes
// the fd readable at the deadline, which wakes epoll_wait at once. Build 2 yielded in a loop instead, which kept
// the process awake (and its other connections faster) at every step but 0 ms; here the process parks at every
// step as it does at 0 ms, and waits cost no CPU.
type preciseTimer struct {
	file *os.File // keeps the fd registered with the netpoller (never call Fd(): it makes the fd blocking)
	fd   int
}

func newPreciseTimer() (*preciseTimer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &preciseTimer{file: os.NewFile(uintptr(fd), "latency_us timerfd"), fd: fd}, nil
}

// waitUntil returns at the deadline. A wait cannot be interrupted: it lasts at most one chunk's delay.
func (p *preciseTimer) waitUntil(deadline time.Time) {
	d := time.Until(deadline)
	if d <= 0 {
		return
	}
	if p != nil {
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
		if unix.TimerfdSettime(p.fd, 0, &spec, nil) == nil {
			var expirations [8]byte
			if _, err := io.ReadFull(p.file, expirations[:]); err == nil {
				return
			}
		}
	}
	time.Sleep(time.Until(deadline))
}

func (p *preciseTimer) close() {
	if p != nil {
		p.file.Close()
	}
}

func main() {
	host := flag.String("host", "127.0.0.1", "host for the API")
	port := flag.String("port", "8474", "port for the API")
	version := flag.Bool("version", false, "print the version")
	flag.Parse()
	if *version {
		fmt.Printf("toxiproxy-server version %s (lab build 3, + latency_us with timerfd waits)\n", toxiproxy.Version)
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
