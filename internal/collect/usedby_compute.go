package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Proof-of-use collectors of compute services: what runs code in a VPC.

// readLambda lists every function, every published version included: a
// version keeps the VPC configuration it was published with, and an alias
// may still point at it. An inactive function has no interface left but
// gets them back on its next invocation, with these groups.
func readLambda(ctx context.Context, r *useReader) ([]useRef, error) {
	c := lambda.NewFromConfig(r.cfg)
	fns, err := useList(ctx, r, "ListFunctions",
		lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{
			FunctionVersion: lambdatypes.FunctionVersionAll,
			MaxItems:        aws.Int32(50), // ListFunctions: 1–50
		}),
		func(o *lambda.ListFunctionsOutput) []lambdatypes.FunctionConfiguration { return o.Functions })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, f := range fns {
		if f.VpcConfig != nil {
			// $LATEST is the function itself; a published version keeps
			// its qualified ARN (function:name:3).
			arn := strings.TrimSuffix(aws.ToString(f.FunctionArn), ":$LATEST")
			out = append(out, refs(arn, "", f.VpcConfig.SecurityGroupIds...)...)
		}
	}
	return out, nil
}
