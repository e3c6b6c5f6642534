package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// argsExplained is the Args of a command taking min to max arguments: too few is the error
// missing, which says what to give, with an example; too many says which were not expected
// and what the command takes (takes).
func argsExplained(min, max int, missing, takes string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min {
			return errors.New(missing)
		}
		if len(args) > max {
			extra := make([]string, 0, len(args)-max)
			for _, a := range args[max:] {
				extra = append(extra, fmt.Sprintf("%q", a))
			}
			return fmt.Errorf("%s takes %s; %s not expected (see %s --help)", cmd.Name(), takes, strings.Join(extra, " "), cmd.CommandPath())
		}
		return nil
	}
}
