// cadvisor-lab: a minimal cAdvisor exporter built on github.com/google/cadvisor/lib
// (the library module the kubelet embeds). It exists because the Go module proxy
// reachable from the lab serves github.com/google/cadvisor and .../lib but not
// github.com/google/cadvisor/cmd (the upstream main package): every cmd version
// answers 404 (.info) / 403 (.mod, .zip).
//
// It does what upstream cmd/cadvisor.go does for /metrics, minus the web UI, REST
// API, storage drivers and container runtimes: only the raw cgroup factory is
// registered (the manager always registers it), so it never looks up Docker,
// containerd or CRI-O. Metric names and labels come from the library's
// Prometheus collector and are the same as upstream's (container_*, machine_*).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/cadvisor/lib/cache/memory"
	"github.com/google/cadvisor/lib/container"
	"github.com/google/cadvisor/lib/manager"
	"github.com/google/cadvisor/lib/metrics"
	info "github.com/google/cadvisor/lib/model"
	"github.com/google/cadvisor/lib/utils/sysfs"
	"github.com/google/cadvisor/lib/version"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

var (
	argIP              = flag.String("listen_ip", "127.0.0.1", "IP to listen on")
	argPort            = flag.Int("port", 8080, "port to listen on")
	prometheusEndpoint = flag.String("prometheus_endpoint", "/metrics", "endpoint to expose Prometheus metrics on")
	storageDuration    = flag.Duration("storage_duration", 2*time.Minute, "how long to keep data stored in memory")
	rawCgroupPrefixes  = flag.String("raw_cgroup_prefix_whitelist", "", "comma-separated cgroup path prefixes to collect (empty = all)")
	versionFlag        = flag.Bool("version", false, "print version and exit")

	// Same defaults as upstream cmd/cadvisor.go.
	ignoreMetrics = container.MetricSet{
		container.MemoryNumaMetrics:              struct{}{},
		container.NetworkTcpUsageMetrics:         struct{}{},
		container.NetworkUdpUsageMetrics:         struct{}{},
		container.NetworkAdvancedTcpUsageMetrics: struct{}{},
		container.ProcessSchedulerMetrics:        struct{}{},
		container.ProcessMetrics:                 struct{}{},
		container.HugetlbUsageMetrics:            struct{}{},
		container.ReferencedMemoryMetrics:        struct{}{},
		container.CPUTopologyMetrics:             struct{}{},
		container.ResctrlMetrics:                 struct{}{},
		container.CPUSetMetrics:                  struct{}{},
		// not available without the root module's plugins:
		container.PerfMetrics: struct{}{},
		container.AppMetrics:  struct{}{},
	}
	enableMetrics = container.MetricSet{}
)

func init() {
	opts := container.AllMetrics.String()
	flag.Var(&ignoreMetrics, "disable_metrics", fmt.Sprintf("comma-separated list of metrics to disable. Options are %s.", opts))
	flag.Var(&enableMetrics, "enable_metrics", fmt.Sprintf("comma-separated list of metrics to enable; overrides disable_metrics. Options are %s.", opts))
}

func main() {
	klog.InitFlags(nil)
	defer klog.Flush()
	flag.Parse()

	if *versionFlag {
		fmt.Printf("cadvisor-lab (github.com/google/cadvisor/lib %s)\n", version.Info["version"])
		return
	}

	included := container.AllMetrics.Difference(ignoreMetrics)
	if len(enableMetrics) > 0 {
		included = enableMetrics
	}

	// Like upstream: "" splits to [""], and the empty prefix accepts every cgroup.
	prefixes := strings.Split(*rawCgroupPrefixes, ",")
	m, err := manager.New(memory.New(*storageDuration, nil), sysfs.NewRealSysFs(), manager.HousekeepingConfigFlags,
		included, prefixes, nil, "", 0)
	if err != nil {
		klog.Fatalf("failed to create manager: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	machineCollector := metrics.NewPrometheusMachineCollector(m, included)
	goCollector := collectors.NewGoCollector()
	processCollector := collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
	mux.HandleFunc(*prometheusEndpoint, func(w http.ResponseWriter, req *http.Request) {
		opts := info.RequestOptions{IdType: info.TypeName, Count: 1, Recursive: true}
		r := prometheus.NewRegistry()
		r.MustRegister(
			metrics.NewPrometheusCollector(m, metrics.DefaultContainerLabels, included, clock.RealClock{}, opts),
			machineCollector, goCollector, processCollector,
		)
		promhttp.HandlerFor(r, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, req)
	})

	if err := m.Start(); err != nil {
		klog.Fatalf("failed to start manager: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		_ = m.Stop()
		klog.Infof("exiting on %v", s)
		os.Exit(0)
	}()

	addr := fmt.Sprintf("%s:%d", *argIP, *argPort)
	klog.Infof("cadvisor-lab %s listening on %s (metrics at %s)", version.Info["version"], addr, *prometheusEndpoint)
	klog.Fatal(http.ListenAndServe(addr, mux))
}
