package main

import (
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// registerCompletions teaches shell completion (gru completion SHELL) the values of gru's
// arguments and flags: type names (the argument of schema and doc; --versions, validate's
// --type, the --types lists), type groups (--group), and, read from the project of -C
// offline (no cloud is asked), the names and types of its resources (destroy's and output's
// --name, output's --type). It goes by flag name over every command, so that a command
// gains them by declaring the flag.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch c.Name() {
		case "schema", "doc":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return g.completeType(toComplete, "")
			}
		}
		flag := func(name string, fn cobra.CompletionFunc) {
			if f := c.Flags().Lookup(name); f != nil && !f.Hidden {
				c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		flag("types", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			// a list: complete its last item
			i := strings.LastIndex(toComplete, ",")
			return g.completeType(toComplete[i+1:], toComplete[:i+1])
		})
		flag("versions", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return g.completeType(toComplete, "")
		})
		flag("group", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return g.completeGroup(toComplete)
		})
		switch c.Name() {
		case "validate":
			flag("type", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return g.completeType(toComplete, "")
			})
		case "output":
			flag("type", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return g.completeDeclared(cmd, toComplete, true)
			})
			flag("name", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return g.completeDeclared(cmd, toComplete, false)
			})
		case "destroy":
			flag("name", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return g.completeDeclared(cmd, toComplete, false)
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeType completes a type name after prefix (the items of a list before it): an ARM
// type once it has a dot or a slash (Microsoft.Network/v...), else Group::Type, the group
// first (Net → Network::, then Network::Vi → Network::VirtualNetwork, ...).
func (g *globalOptions) completeType(toComplete, prefix string) ([]string, cobra.ShellCompDirective) {
	c, err := g.catalog()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	lower := strings.ToLower(toComplete)
	var out []string
	switch {
	case strings.ContainsAny(toComplete, "./"):
		for _, t := range c.Types() {
			if strings.HasPrefix(strings.ToLower(t.ARMType), lower) {
				out = append(out, prefix+t.ARMType)
			}
		}
	case !strings.Contains(toComplete, "::"):
		seen := map[string]bool{}
		for _, t := range c.Types() {
			group := t.Group()
			if !seen[group] && strings.HasPrefix(strings.ToLower(group), lower) {
				seen[group] = true
				out = append(out, prefix+group+"::")
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace // the type comes next
	default:
		for _, t := range c.Types() {
			if strings.HasPrefix(strings.ToLower(t.ShortName), lower) {
				out = append(out, prefix+t.ShortName)
			}
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeGroup completes a type group (Network, Storage, ...).
func (g *globalOptions) completeGroup(toComplete string) ([]string, cobra.ShellCompDirective) {
	c, err := g.catalog()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, t := range c.Types() {
		group := t.Group()
		if strings.HasPrefix(strings.ToLower(group), strings.ToLower(toComplete)) && !slices.Contains(out, group) {
			out = append(out, group)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeDeclared completes the names (or, with types, the types) of the resources the
// project of -C declares, read offline, within a few seconds; a name is described by its
// type, and output's --type, when given, keeps the names of that type.
func (g *globalOptions) completeDeclared(cmd *cobra.Command, toComplete string, types bool) ([]string, cobra.ShellCompDirective) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := g.openOffline(ctx, io.Discard)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	defer s.close()
	declared, err := s.gru.Declared(ctx, s.proj, false)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	typ := ""
	if f := cmd.Flags().Lookup("type"); f != nil && !types {
		typ = f.Value.String()
	}
	var out []string
	for _, d := range declared {
		value := d.Name
		if types {
			value = d.Type
		} else if typ != "" && !strings.EqualFold(typ, d.Type) && !strings.EqualFold(typ, d.ARMType) {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(value), strings.ToLower(toComplete)) {
			continue
		}
		if !types {
			value += "\t" + d.Type
		}
		if !slices.Contains(out, value) {
			out = append(out, value)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}
