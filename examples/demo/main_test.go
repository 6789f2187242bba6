package main

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestStepsSayWhatAndHowLong (issue 10): the demo prints each step as it
// starts and how long it took, so minutes of emulator start-up are not
// silent. The clock is fake: nothing here depends on the machine's speed.
func TestStepsSayWhatAndHowLong(t *testing.T) {
	clock := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var buf bytes.Buffer
	s := newSteps(&buf, now)
	s.say("starting the AWS emulator ...")
	clock = clock.Add(42*time.Second + 340*time.Millisecond)
	s.done("the emulator answers")
	s.say("seeding ...")
	clock = clock.Add(1500 * time.Millisecond)
	s.done("seeded")
	want := "demo: starting the AWS emulator ...\ndemo: the emulator answers (42.3s)\ndemo: seeding ...\ndemo: seeded (1.5s)\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestRoundDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		853 * time.Millisecond:                "850ms",
		4*time.Second + 249*time.Millisecond:  "4.2s",
		72*time.Second + 600*time.Millisecond: "1m13s",
		3*time.Minute + 59*time.Second:        "3m59s",
	} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestEmulatorEnv: no AWS_ setting of the caller reaches the command.
func TestEmulatorEnv(t *testing.T) {
	env := emulatorEnv([]string{"HOME=/h", "AWS_PROFILE=prod", "AWS_ACCESS_KEY_ID=AKIAREAL"}, "http://127.0.0.1:5000")
	if slices.Contains(env, "AWS_PROFILE=prod") || slices.Contains(env, "AWS_ACCESS_KEY_ID=AKIAREAL") {
		t.Errorf("a real AWS setting reached the command: %v", env)
	}
	if !slices.Contains(env, "HOME=/h") || !slices.Contains(env, "AWS_ENDPOINT_URL=http://127.0.0.1:5000") {
		t.Errorf("env = %v", env)
	}
}
