// Command pyroscope-server is a thin entry point around the Grafana Pyroscope
// server package (github.com/grafana/pyroscope/pkg/phlare), pinned in go.mod.
// It exists so the Profile Lens tests can build a real Pyroscope server from
// the Go module proxy (upstream's go.mod carries `replace` directives, so
// `go install github.com/grafana/pyroscope/cmd/pyroscope@version` refuses).
// It accepts the same flags as upstream's binary (-config.file, -target, ...).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/grafana/dskit/flagext"
	"github.com/prometheus/common/version"

	"github.com/grafana/pyroscope/pkg/cfg"
	"github.com/grafana/pyroscope/pkg/phlare"
	_ "github.com/grafana/pyroscope/pkg/util/build" // sets version info from -ldflags
)

type serverFlags struct {
	phlare.Config `yaml:",inline"`

	PrintVersion bool `yaml:"-"`
}

func (f *serverFlags) Clone() flagext.Registerer {
	c := *f
	return &c
}

func (f *serverFlags) PhlareConfig() *phlare.Config { return &f.Config }

func (f *serverFlags) RegisterFlags(fs *flag.FlagSet) {
	f.Config.RegisterFlags(fs)
	fs.BoolVar(&f.PrintVersion, "version", false, "Show the version and exit")
}

func main() {
	var flags serverFlags
	if err := cfg.DynamicUnmarshal(&flags, os.Args[1:], flag.CommandLine); err != nil {
		fmt.Fprintf(os.Stderr, "failed parsing config: %v\n", err)
		os.Exit(1)
	}
	if flags.PrintVersion {
		fmt.Println(version.Print("pyroscope"))
		return
	}
	p, err := phlare.New(flags.Config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "failed creating pyroscope: %v\n", err)
		os.Exit(1)
	}
	if err := p.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "failed running pyroscope: %v\n", err)
		os.Exit(1)
	}
}
