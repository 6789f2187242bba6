package safetext

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestHandlerSanitisesEveryString(t *testing.T) {
	t.Parallel()
	const evil = "x\x1b[31m\u202eY\u009b2J"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, nil)
			}
			log := slog.New(NewHandler(h)).With("with", evil).WithGroup("g" + evil)
			log.Warn("msg "+evil,
				"string", evil,
				"error", errors.New("open "+evil+": denied"),
				"list", []string{"ok", evil},
				"count", 3,
				slog.Group("inner", "name", evil),
			)
			out := buf.String()
			for _, bad := range []string{"\x1b", "\u202e", "\u009b", `\u001b`, `\u202e`, `\u009b`, `\x1b`} {
				if strings.Contains(out, bad) {
					t.Errorf("log line carries %q:\n%s", bad, out)
				}
			}
			// The C1 CSI swallows "2J" as its parameters, like a terminal.
			if !strings.Contains(out, "msg xY") || (!strings.Contains(out, "count=3") && !strings.Contains(out, `"count":3`)) {
				t.Errorf("log line lost its content:\n%s", out)
			}
			if format == "json" {
				var m map[string]any
				if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
					t.Fatalf("not one JSON object: %v\n%s", err, out)
				}
			}
		})
	}
}

func TestHandlerKeepsSafeStructure(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(NewHandler(slog.NewJSONHandler(&buf, nil))).Info("m", "regions", []string{"eu-west-1", "us-east-1"})
	if !strings.Contains(buf.String(), `"regions":["eu-west-1","us-east-1"]`) {
		t.Errorf("a safe list lost its JSON form: %s", buf.String())
	}
}
