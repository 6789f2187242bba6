// Package location formats where in a user's file a problem was found, the
// way compilers do, so every error about a user's file reads alike.
package location

import (
	"bytes"
	"strconv"
)

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

// Position turns a byte offset in src into a 1-based line and column (the
// column counts bytes, as Go's JSON and YAML errors do). An offset outside
// src is clamped to it.
func Position(src []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(src)))
	before := src[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
