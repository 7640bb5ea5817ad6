package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/spec"
)

func (c *cli) devCmd() *cobra.Command {
	var (
		platform   string
		port       int
		noWatch    bool
		verbose    bool
		proxy      bool
		allowHosts []string
	)
	cmd := &cobra.Command{
		Use:   "dev [dir]",
		Short: "Serve the project locally, rebuilt on every save",
		Long: `Dev builds the project for this machine and runs each deployment unit under
the platform's emulator (--platform; the plain HTTP adapter by default), as it
would run deployed. It serves every HTTP function by its routes on
127.0.0.1:3000, fires timer functions on their schedules, and takes other
events on

  POST /_anyfaas/invoke/{function}               the body is a native event
                                                 of the platform emulated (on
                                                 web a CloudEvent); another
                                                 platform's is refused (400)
  POST /_anyfaas/invoke/{function}?trigger=T     the catalog's sample of T; the
                                                 query (or a JSON object body)
                                                 overrides its fields
  GET  /_anyfaas/                                the units, functions, routes

On the plain HTTP adapter, the process of the unit with the most routes takes
the requests on that address itself, as fast as the program run alone: the dev
server hands it its listening socket, and the process passes the requests that
are not its own back to the dev server. --proxy passes every request through
the emulator instead, as Knative's queue-proxy does (a unit that declares a
concurrency gets that anyway).

It watches the source tree, and what the build reads outside it (//go:embed
files, packages of the module elsewhere, modules replaced by a local
directory), and rebuilds on save ("rebuilt in N ms"); a build that fails
keeps the previous one serving and prints the compiler's message, or
where f.yml is invalid or does not match the code, f.yml's. In a
directory in no Go module dev stops at once (exit code 3), saying how to
make one: no save could fix that.
With -v each unit says, as it starts, how long each layer's RuntimeStart and
FunctionStart hooks and each function constructor took. Ctrl-C runs the
functions' Close hooks and exits.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			platform, err := platformFlag(platform)
			if err != nil {
				return err
			}
			if port < 0 || port > 65535 {
				return usageError("--port %d is not a port", port)
			}
			dir := projectDir(args)
			if err := checkProjectDir(dir); err != nil {
				return err
			}
			// With no Go module there is nothing to build, and nothing
			// dev watches to fix it by a save: making one is a step of
			// its own (go mod init, pointing it at anyfaas, go mod
			// tidy), which may put go.mod in a directory above, which dev
			// does not watch; and a dev started in the wrong directory
			// would watch a tree that is no project. So dev stops, and
			// says how to make the module.
			if err := checkModule(cmd.Context(), dir); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				// Once stopping, a second Ctrl-C ends anyfaas at once.
				<-ctx.Done()
				stop()
			}()
			var poll time.Duration // the dev server's default
			if noWatch {
				poll = -1
			}
			srv, err := devserver.New(devserver.Config{
				Dir:          dir,
				SpecFile:     c.specFile(dir),
				Platform:     platform,
				Addr:         fmt.Sprintf("127.0.0.1:%d", port),
				AllowedHosts: allowHosts,
				Log:          c.stderr,
				Poll:         poll,
				Emulator:     devserver.NewEmulator,
				Event:        sampleEvent,
				Verbose:      verbose,
				Proxy:        proxy,
			})
			if err != nil {
				return withCode(exitOther, err) // an address in use says so, and names --port
			}
			return srv.Run(ctx)
		},
	}
	cmd.Flags().StringVarP(&platform, "platform", "p", "", "the platform to emulate: aws, fc, scf, gcf, web (default: web, the plain HTTP adapter)")
	cmd.Flags().IntVar(&port, "port", 3000, "the port to serve on, on 127.0.0.1")
	cmd.Flags().StringSliceVar(&allowHosts, "allow-host", nil, "a host name whose requests dev takes besides localhost's, such as a tunnel's forwarding webhooks (abc.ngrok.app); repeatable. Other names are refused, against DNS rebinding")
	cmd.Flags().BoolVar(&noWatch, "no-watch", false, "do not rebuild when files change")
	cmd.Flags().BoolVar(&proxy, "proxy", false, "pass every request through the emulator, none straight to a unit's process")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show how long each layer's start hooks and each function constructor take when a unit starts (FAAS_VERBOSE=1)")
	return cmd
}

// sampleEvent is the catalog's sample of a platform's trigger that
// declared, the function's event of that trigger (or nil), is delivered
// as, carrying what f.yml says of it and of project, its provider.project,
// with overrides (see sampleOf), and
// new ids (see newID) where overrides does not set them.
func sampleEvent(platform, trigger string, declared *spec.Event, project string, overrides map[string]string) ([]byte, error) {
	entries, err := catalog.Find(platform, trigger)
	if err != nil {
		return nil, err
	}
	entry, _, _ := sampleOf(entries, declared, project, overrides)
	if err := catalog.FreshIDs(entry.Name, overrides, newID); err != nil {
		return nil, err
	}
	return catalog.Event(entry.Name, overrides)
}
