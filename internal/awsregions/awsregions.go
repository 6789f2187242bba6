// Package awsregions knows the names of the AWS regions, so that a typo
// in --regions is a usage error before any call rather than a coverage row
// after a scan. The table follows the AWS SDK for Go's partition data; a
// test fails when the SDK in go.mod knows a region that the table lacks.
package awsregions

import (
	"regexp"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/internal/typo"
)

// regions maps each region name to its partition, as the SDK's
// internal/endpoints/awsrulesfn/partitions.json lists them (without the
// "-global" pseudo-regions, which no EC2 API accepts).
var regions = map[string]string{
	// aws
	"af-south-1":     "aws",
	"ap-east-1":      "aws",
	"ap-east-2":      "aws",
	"ap-northeast-1": "aws",
	"ap-northeast-2": "aws",
	"ap-northeast-3": "aws",
	"ap-south-1":     "aws",
	"ap-south-2":     "aws",
	"ap-southeast-1": "aws",
	"ap-southeast-2": "aws",
	"ap-southeast-3": "aws",
	"ap-southeast-4": "aws",
	"ap-southeast-5": "aws",
	"ap-southeast-6": "aws",
	"ap-southeast-7": "aws",
	"ca-central-1":   "aws",
	"ca-west-1":      "aws",
	"eu-central-1":   "aws",
	"eu-central-2":   "aws",
	"eu-north-1":     "aws",
	"eu-south-1":     "aws",
	"eu-south-2":     "aws",
	"eu-west-1":      "aws",
	"eu-west-2":      "aws",
	"eu-west-3":      "aws",
	"il-central-1":   "aws",
	"me-central-1":   "aws",
	"me-south-1":     "aws",
	"me-west-1":      "aws",
	"mx-central-1":   "aws",
	"sa-east-1":      "aws",
	"sa-west-1":      "aws",
	"us-east-1":      "aws",
	"us-east-2":      "aws",
	"us-west-1":      "aws",
	"us-west-2":      "aws",

	// aws-cn
	"cn-north-1":     "aws-cn",
	"cn-northwest-1": "aws-cn",

	// aws-eusc
	"eusc-de-east-1": "aws-eusc",

	// aws-iso
	"us-iso-east-1": "aws-iso",
	"us-iso-west-1": "aws-iso",

	// aws-iso-b
	"us-isob-east-1": "aws-iso-b",
	"us-isob-west-1": "aws-iso-b",

	// aws-iso-e
	"eu-isoe-west-1": "aws-iso-e",

	// aws-iso-f
	"us-isof-east-1":  "aws-iso-f",
	"us-isof-south-1": "aws-iso-f",

	// aws-us-gov
	"us-gov-east-1": "aws-us-gov",
	"us-gov-west-1": "aws-us-gov",
}

// namePattern is the shape of every region name: a geography, one or more
// words, a number ("us-east-1", "us-gov-west-1", "eusc-de-east-1").
var namePattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)

// Known reports whether name is a region of some partition.
func Known(name string) bool {
	_, ok := regions[name]
	return ok
}

// Partition returns the partition of a known region ("aws", "aws-cn",
// "aws-us-gov", ...), or "" for an unknown one.
func Partition(name string) string { return regions[name] }

// WellFormed reports whether name has the shape of a region name, known
// or not: what an unknown region must at least look like to be accepted
// as one newer than this table.
func WellFormed(name string) bool { return namePattern.MatchString(name) }

// Names returns every known region, sorted.
func Names() []string {
	names := make([]string, 0, len(regions))
	for r := range regions {
		names = append(names, r)
	}
	slices.Sort(names)
	return names
}

// Suggest returns the known region closest to name when a typo explains
// the difference (at most two edits, or the same letters in another
// case), else "".
func Suggest(name string) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	best, bestDist := "", typo.Far
	for _, r := range Names() {
		if d := typo.Distance(lower, r); d < bestDist {
			best, bestDist = r, d
		}
	}
	return best
}
