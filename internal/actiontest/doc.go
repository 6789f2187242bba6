// Package actiontest tests the sgaudit GitHub Action (action.yml at the
// repository root and its script .github/action/run.sh) outside GitHub: its
// tests read action.yml, run each composite step the way the runner does
// (inputs and step outputs substituted into the step's env, GITHUB_OUTPUT,
// GITHUB_PATH and GITHUB_STEP_SUMMARY files), against a fake GitHub release
// served on 127.0.0.1 and the demo account in the AWS emulator.
//
// The package has no code of its own; it exists for its tests.
package actiontest
