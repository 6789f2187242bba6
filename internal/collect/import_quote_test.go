package collect

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestImportErrorsBounded: a value from a file enters an error message
// quoted and cut to maxQuoted bytes, so that the message stays one short
// line (issue 9). The old importer printed a 50 MB OwnerId, id or ARN
// whole, and ids unquoted: a newline in one split the message.
func TestImportErrorsBounded(t *testing.T) {
	huge := strings.Repeat("1", 1<<20)
	tests := []struct {
		name, content, fallback, want string
	}{
		{
			name:    "a huge OwnerId",
			content: cliGroups(strings.Replace(cliGroup("sg-1", ""), `"OwnerId": "111122223333"`, `"OwnerId": "`+huge+`"`, 1)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): group sg-1: OwnerId "` + huge[:100] + `"…: an account id is exactly 12 digits`,
		},
		{
			name:    "a huge GroupId without a region",
			content: `{"SecurityGroups": [{"GroupId": "sg-` + huge + `", "OwnerId": "111122223333"}]}`,
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): cannot tell the region of "sg-` + huge[:97] + `"…: pass --region`,
		},
		{
			name:    "an id with a newline is quoted",
			content: `{"SecurityGroups": [{"GroupId": "sg-1\nx", "OwnerId": "111122223333"}]}`,
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): cannot tell the region of "sg-1\nx": pass --region`,
		},
		{
			name:    "a huge ARN",
			content: cliGroups(strings.Replace(cliGroup("sg-1", ""), "arn:aws:ec2:eu-west-1:", "arn:aws:ec2:EU"+huge+":", 1)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): SecurityGroupArn "arn:aws:ec2:EU` + huge[:86] + `"…: "EU` + huge[:98] + `"… is not a region name`,
		},
		{
			name:    "a huge schema_version",
			content: `{"schema_version": "` + huge + `", "security_groups": []}`,
			want:    `invalid input: f.json is an sgaudit inventory with schema_version "` + huge[:99] + `…; this sgaudit reads schema_version "1"`,
		},
		{
			name:    "a huge key given twice",
			content: `{"SecurityGroups": [{"` + huge + `": 1, "` + huge + `": 2}]}`,
			want:    `invalid input: f.json:1:1048605 (byte 1048604): malformed JSON: the key "SecurityGroups[0].` + huge[:82] + `"… is given twice`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ImportReaders(context.Background(), []Input{input("f.json", tt.content)}, tt.fallback)
			if !errors.Is(err, ErrInput) || err.Error() != tt.want {
				t.Errorf("ImportReaders() error =\n%.400v\nwant\n%.400s", err, tt.want)
			}
		})
	}
}

// TestImportInventoryErrorsBounded: the inventory's own checks quote a
// group id whole; the importer cuts their message to maxMessage bytes.
func TestImportInventoryErrorsBounded(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	content := `{"schema_version": "1", "security_groups": [{"id": "sg-` + huge + `", "account_id": "111122223333", "region": "eu-west-1"}]}`
	_, err := ImportReaders(context.Background(), []Input{input("i.json", content)}, "")
	if !errors.Is(err, ErrInput) {
		t.Fatalf("ImportReaders() error = %.300v, want ErrInput", err)
	}
	if msg := err.Error(); len(msg) > maxMessage+100 || !strings.HasPrefix(msg, "invalid input: i.json: ") || strings.Contains(msg, "\n") {
		t.Errorf("ImportReaders() error is %d bytes: %.300s", len(msg), msg)
	}
}
