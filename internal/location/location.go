// Package location formats where in a user's file a problem was found, the
// way compilers do, so every error about a user's file reads alike.
package location

import "strconv"

// Format prefixes msg with its place: "file:line: msg", "file: msg" when
// the line is not known (0), msg alone when there is no file.
func Format(file string, line int, msg string) string {
	switch {
	case file != "" && line > 0:
		return file + ":" + strconv.Itoa(line) + ": " + msg
	case file != "":
		return file + ": " + msg
	}
	return msg
}
