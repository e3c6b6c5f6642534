// Command gru manages Azure Resource Manager resources from code. This package only wires
// command-line flags to gru's internal packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// version is gru's release; builds from source say dev.
const version = "0.1.0-dev"

// exitError carries an exit code through cobra without printing a second message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	if os.Getenv("GRU_PROFILE") == "" {
		// No heap profile is written (GRU_PROFILE writes them): the runtime need not sample
		// allocations for one, which holds 1.5 MB of stacks in a plan of 10,000 resources.
		runtime.MemProfileRate = 0
	}
	// The first Ctrl-C (or SIGTERM) cancels the run, which starts nothing new and lets what is
	// in flight finish; a second one ends gru at once (the default action, restored).
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		if _, ok := <-signals; !ok {
			return // the run ended first: nothing to say
		}
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		say("interrupted: starting nothing new, letting what is in flight finish (Ctrl-C again to quit now)")
		cancel()
	}()
	stopProfiles := startProfiles(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfiles()
	signal.Stop(signals)
	close(signals)
	cancel()
	os.Exit(code)
}

// run executes gru with arguments and streams, and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	completionHelpForUnknownShells(root) // after SetOut: the scripts go where it says
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		asJSON, _ := root.PersistentFlags().GetBool("json")
		// A flag error stops parsing before --json is read.
		asJSON = asJSON || slices.ContainsFunc(args, func(a string) bool { return a == "--json" || a == "--json=true" })
		writeError(stdout, stderr, err, asJSON)
		return 1
	}
}

// globalOptions are the flags every command has.
type globalOptions struct {
	typesDir     string
	local        bool
	endpoint     string
	caFile       string
	subscription string
	debug        bool
	dir          string
	parallelism  int
	json         bool
	progress     string
}

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "gru",
		Short: "Infrastructure as code for Azure Resource Manager",
		Long: `gru manages Azure Resource Manager resources from code, in the GruCloud format.

It knows every ARM resource type (about 3,400) from Microsoft's published type data, and
validates request bodies against their schemas before anything is sent to Azure.

Type names are written Group::Type (Storage::StorageAccount), or as ARM types
(Microsoft.Storage/storageAccounts), case-insensitively; GruCloud's names are accepted too.

Without Azure at hand, --local works against gru's own ARM emulator:
  gru apply -f --local -C examples/storage-private-endpoint
  gru plan --local -C examples/storage-private-endpoint`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.check()
		},
	}
	root.SetVersionTemplate(versionText())
	root.PersistentFlags().StringVar(&g.typesDir, "types-dir", os.Getenv("GRU_TYPES_DIR"),
		"a bicep-types-az generated/ folder to take schemas from, for API versions gru does not embed (env GRU_TYPES_DIR); "+
			"the listing of its folders is cached in gru/types-dir/ of the user's cache folder ($XDG_CACHE_HOME, else ~/.cache, on Linux)")
	pf := root.PersistentFlags()
	pf.BoolVar(&g.local, "local", false, "work against gru's local cloud: an emulator in this process, its data in $GRU_LOCAL_DB or gru's state folder")
	pf.StringVar(&g.endpoint, "endpoint", "", "work against an ARM emulator served elsewhere (gru emulator serve); the token is $GRU_TOKEN, else $GRU_EMULATOR_TOKEN")
	pf.StringVar(&g.caFile, "ca-file", "", "a PEM certificate to trust for an https --endpoint, such as the DB-cert.pem of gru emulator serve --tls (default $GRU_EMULATOR_CA; "+
		"on loopback, the certificate of the emulator of the default local database)")
	pf.StringVar(&g.subscription, "subscription", "", "Azure subscription (default $AZURE_SUBSCRIPTION_ID, else the Azure CLI's default)")
	pf.BoolVar(&g.debug, "debug", false, "log every ARM request and response to stderr, secrets redacted")
	pf.StringVarP(&g.dir, "dir", "C", ".", "the project folder")
	pf.IntVar(&g.parallelism, "parallelism", 20, "operations in flight at most (1 or more)")
	pf.BoolVar(&g.json, "json", false, "write JSON for scripts: every command that prints, its errors too")
	pf.StringVar(&g.progress, "progress", progressAuto, "how apply and destroy show progress: auto (live on a terminal, plain in CI, with --debug or when not a terminal), "+
		"plain (a line per step, and one about every 10 s naming what is in flight), live (a block redrawn in place), none")
	root.RegisterFlagCompletionFunc("progress", cobra.FixedCompletions(progressModes, cobra.ShellCompDirectiveNoFileComp))
	root.AddCommand(newTypesCommand(g), newSchemaCommand(g), newValidateCommand(g), newEmulatorCommand(g), newInfoCommand(g),
		newDocCommand(g), newGencodeCommand(g), newGraphCommand(g), newTreeCommand(g), newInitCommand(g), newPlanCommand(g), newApplyCommand(g), newDestroyCommand(g), newListCommand(g), newOutputCommand(g),
		newVersionCommand(g))
	registerCompletions(root, g)
	return root
}

// check refuses global flags out of range before any command runs.
func (g *globalOptions) check() error {
	if g.parallelism < 1 {
		return fmt.Errorf("--parallelism %d: it is how many operations may be in flight at once, 1 or more (the default is 20)", g.parallelism)
	}
	if !slices.Contains(progressModes, g.progress) {
		return fmt.Errorf("--progress %q: want %s", g.progress, strings.Join(progressModes, ", "))
	}
	return nil
}

// completionHelpForUnknownShells makes gru completion SHELL, for a shell cobra writes no
// script for (tcsh), say so and print the command's help, with exit status 0.
func completionHelpForUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sh := range c.Commands() {
			shells = append(shells, sh.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "gru has no completion script for %s: it writes one for %s.\n\n", args[0], strings.Join(shells, ", "))
			}
			return cmd.Help()
		}
	}
}
