package main

import (
	"errors"
	"strconv"

	"github.com/spf13/pflag"
)

// switchValue is a boolean flag. pflag (v1.1, required by OPA) prints every
// flag whose value says IsBoolFlag as `--no-color[=true|false]` in --help;
// this value does not say it, so help shows `--no-color`, while
// NoOptDefVal keeps `--no-color` meaning true and `--no-color=false` works.
// Its Type is "bool", so cobra's GetBool (--help, --version) reads it.
type switchValue struct{ p *bool }

func (s switchValue) String() string {
	if s.p == nil {
		return "false"
	}
	return strconv.FormatBool(*s.p)
}

func (s switchValue) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	*s.p = b
	return nil
}

func (switchValue) Type() string { return "bool" }

// switchVar defines a boolean flag that defaults to false.
func switchVar(fs *pflag.FlagSet, p *bool, name, shorthand, usage string) {
	*p = false
	fs.VarPF(switchValue{p}, name, shorthand, usage).NoOptDefVal = "true"
}
