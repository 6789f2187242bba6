package reporters

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// outsideCodeSpans returns the text of a rendered line that is not inside
// a code span, backslash escapes removed, or ok=false when a code span is
// not closed. md never puts a backtick inside a code span, so spans are
// the text between two unescaped backticks.
func outsideCodeSpans(s string) (text string, ok bool) {
	var b strings.Builder
	inCode := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inCode:
			if c == '`' {
				inCode = false
			}
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte('\\') // a placeholder: escaped, so inert
		case c == '`':
			inCode = true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), !inCode
}

// assertNoLinks fails when text outside code spans holds what GitHub would
// autolink or turn into a notification, or a table-breaking character.
func assertNoLinks(t *testing.T, in, out string) {
	t.Helper()
	text, ok := outsideCodeSpans(out)
	if !ok {
		t.Fatalf("md(%q) = %q: a code span is left open", in, out)
	}
	lower := strings.ToLower(text)
	for _, bad := range []string{"://", "www.", "@", "|", "<", ">", "\n", "\r"} {
		if strings.Contains(lower, bad) {
			t.Fatalf("md(%q) = %q: %q outside a code span (outside: %q)", in, out, bad, text)
		}
	}
}

// TestMarkdownNeutralisesLinksAndMentions: URLs, www. names, @mentions
// and e-mail addresses from data render as code in every part of the
// summary, so GitHub neither links nor notifies them.
func TestMarkdownNeutralisesLinksAndMentions(t *testing.T) {
	t.Parallel()
	const acct = "111122223333"
	r := &findings.Report{
		Accounts: []inventory.Account{{ID: acct, Name: "prod @admins"}},
		Coverage: []inventory.Coverage{
			{AccountID: acct, Region: "eu-west-1", Status: inventory.CoverageOK},
			{AccountID: acct, Region: "us-east-1", Status: inventory.CoverageError, FailedAPI: "DescribeSecurityGroups", Detail: "proxy http://10.0.0.1:3128 refused"},
		},
		Findings: []findings.Finding{{
			CheckID: "SGA001", Severity: findings.SeverityHigh, AccountID: acct, Region: "eu-west-1",
			GroupID: "sg-1", GroupName: "web ping @security-team", Message: "sg-1 (web ping @security-team) see https://evil.example/x and www.evil.example, mail ops@example.com",
		}},
		Notices: []findings.Notice{{Level: findings.NoticeWarning, Message: "cc @octocat/team: http://x"}},
	}
	out := string(render(t, Markdown{}, r))
	for _, line := range strings.Split(out, "\n") {
		text, ok := outsideCodeSpans(line)
		if !ok {
			t.Errorf("unclosed code span in %q", line)
		}
		lower := strings.ToLower(text)
		for _, bad := range []string{"://", "www.", "@"} {
			if strings.Contains(lower, bad) {
				t.Errorf("%q outside a code span in %q", bad, line)
			}
		}
	}
	for _, want := range []string{"`@admins`", "`@security-team`", "`https://evil.example/x`", "`www.evil.example,`", "`ops@example.com`", "`@octocat/team:`", "`http://x`", "`http://10.0.0.1:3128`"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %s:\n%s", want, out)
		}
	}
}

// FuzzMarkdownCell checks md's contract on any input: valid UTF-8, one
// line, and outside code spans no pipe that is not escaped, no HTML tag
// opener, no bare URL, www. name or @mention; code spans are closed.
func FuzzMarkdownCell(f *testing.F) {
	for _, s := range []string{
		"", "web", "a|b", "<script>alert(1)</script>", "see http://x now", "@octocat", "a`http://x`b",
		"x\x1b[31m@y", "WWW.Example.com", "ops@example.com|x", "![x](http://evil)", "\\`@a\\`", "http://x\\", "a\u2028@b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := md(s)
		if !utf8.ValidString(out) {
			t.Fatalf("md(%q) = %q: invalid UTF-8", s, out)
		}
		assertNoLinks(t, s, out)
	})
}
