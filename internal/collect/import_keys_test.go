package collect

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestImportTopLevelKeys: AWS CLI JSON holds only the three lists (in the
// CLI's case) and at most a null NextToken; a file is an inventory or CLI
// JSON, never both (issue 9). The old importer skipped any other key, so a
// second list spelled "securityGroups", a CLI list in an inventory or an
// inventory half of a CLI file hid their groups; and it took one page of a
// paginated export (NextToken) for the whole.
func TestImportTopLevelKeys(t *testing.T) {
	closed := cliGroup("sg-1", "")
	open := cliGroup("sg-2", sshToWorld)
	inv := `{"schema_version": "1", "security_groups": []`
	tests := []struct {
		name, content, want string
	}{
		{
			name:    "one page of a paginated export",
			content: `{"SecurityGroups": [` + closed + `], "NextToken": "abc"}`,
			want:    "invalid input: f.json:2:83 (byte 185): the export is one page of several (NextToken): export without --max-items, or pass every page",
		},
		{
			name:    "NextToken before the list",
			content: `{"NextToken": "abc", "SecurityGroups": [` + closed + `]}`,
			want:    "invalid input: f.json:1:2 (byte 1): the export is one page of several (NextToken): export without --max-items, or pass every page",
		},
		{
			name:    "a list in another case",
			content: `{"SecurityGroups": [` + closed + `], "securityGroups": [` + open + `]}`,
			want:    `invalid input: f.json:2:83 (byte 185): unknown top-level key "securityGroups": AWS CLI JSON holds only SecurityGroups, NetworkInterfaces or SecurityGroupRules, or ` + networkListsJoined,
		},
		{
			name:    "an unknown key before the list",
			content: `{"Groups": [` + open + `], "SecurityGroups": [` + closed + `]}`,
			want:    `invalid input: f.json:1:2 (byte 1): unknown top-level key "Groups": AWS CLI JSON holds only SecurityGroups, NetworkInterfaces or SecurityGroupRules, or ` + networkListsJoined,
		},
		{
			name:    "a list given twice",
			content: `{"SecurityGroups": [` + closed + `], "SecurityGroups": [` + open + `]}`,
			want:    `invalid input: f.json:2:83 (byte 185): malformed JSON: the key "SecurityGroups" is given twice`,
		},
		{
			name:    "an inventory half after a CLI list",
			content: `{"SecurityGroups": [` + closed + `], "schema_version": "1", "security_groups": []}`,
			want:    `invalid input: f.json holds both "schema_version" (an sgaudit inventory) and "SecurityGroups" (AWS CLI JSON): a file is one or the other`,
		},
		{
			name:    "a CLI list in an inventory",
			content: inv + `, "SecurityGroups": [` + open + `]}`,
			want:    `invalid input: f.json holds both "schema_version" (an sgaudit inventory) and "SecurityGroups" (AWS CLI JSON): a file is one or the other`,
		},
		{
			name:    "schema_version without security_groups, with a CLI list",
			content: `{"schema_version": "1", "NetworkInterfaces": []}`,
			want:    `invalid input: f.json holds both "schema_version" (an sgaudit inventory) and "NetworkInterfaces" (AWS CLI JSON): a file is one or the other`,
		},
		{
			name:    "a huge unknown key is cut",
			content: `{"SecurityGroups": [], "` + strings.Repeat("k", 1<<20) + `": 1}`,
			want:    `invalid input: f.json:1:24 (byte 23): unknown top-level key "` + strings.Repeat("k", 100) + `"…: AWS CLI JSON holds only SecurityGroups, NetworkInterfaces or SecurityGroupRules, or ` + networkListsJoined,
		},
		{
			name:    "huge keys of an unknown format are cut",
			content: `{"` + strings.Repeat("é", 1<<20) + `": 1}`,
			want:    `invalid input: f.json is not a format sgaudit reads (top-level keys: "` + strings.Repeat("é", 50) + `"…); ` + acceptedFormats,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ImportReaders(context.Background(), []Input{input("f.json", tt.content)}, "")
			if !errors.Is(err, ErrInput) || err.Error() != tt.want {
				t.Errorf("ImportReaders() error =\n%.300v\nwant\n%.300s", err, tt.want)
			}
		})
	}
}

// TestImportNullNextToken: a null NextToken (the last page) is no data.
func TestImportNullNextToken(t *testing.T) {
	inv, err := ImportReaders(context.Background(), []Input{input("f.json", `{"NextToken": null, "SecurityGroups": [`+cliGroup("sg-1", "")+`]}`)}, "")
	if err != nil {
		t.Fatalf("ImportReaders: %v", err)
	}
	if len(inv.SecurityGroups) != 1 {
		t.Errorf("groups = %d, want 1", len(inv.SecurityGroups))
	}
}
