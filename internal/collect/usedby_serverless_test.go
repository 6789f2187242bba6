package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/emrserverless"
	emrstypes "github.com/aws/aws-sdk-go-v2/service/emrserverless/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Seeds, through the SDK against moto, of EventBridge Scheduler,
// EventBridge Pipes, EMR Serverless and RDS Proxy (useSeeds). moto 5.2
// lacks Redshift Serverless and DescribeDBProxyEndpoints: the world reads
// them from fakes (motoLacks), and the tests below run their collectors
// against fake endpoints.

// ecsCluster is the ARN of the world's ECS cluster (seedECS).
func ecsCluster(n useNet) string {
	return "arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":cluster/jobs"
}

// seedScheduler makes, in a schedule group of its own, a schedule that runs
// an ECS task with a fresh group, and one that targets Lambda, which the
// collector must not read (TestProofOfUseAgainstMoto counts a GetSchedule
// for each of the schedules of seedScheduler and seedSchedulerUniversal
// that can name groups, two).
func seedScheduler(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("scheduler-only")
	c := scheduler.NewFromConfig(n.cfg)
	_, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("batch-jobs")})
	must(t, "schedule group", err)
	out, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("nightly-task"), GroupName: aws.String("batch-jobs"),
		ScheduleExpression: aws.String("cron(0 3 * * ? *)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String(ecsCluster(n)), RoleArn: aws.String(n.role),
			EcsParameters: &schedtypes.EcsParameters{TaskDefinitionArn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":task-definition/worker:1"),
				NetworkConfiguration: &schedtypes.NetworkConfiguration{AwsvpcConfiguration: &schedtypes.AwsVpcConfiguration{
					Subnets: n.subnets[:1], SecurityGroups: []string{g}}}}}})
	must(t, "schedule", err)
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("hourly-function"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String("arn:aws:lambda:" + n.region + ":" + moto.AccountID + ":function:idle-worker"), RoleArn: aws.String(n.role)}})
	must(t, "Lambda schedule", err)
	return g, inventory.Evidence{Kind: "scheduler", ID: aws.ToString(out.ScheduleArn)}
}

// seedSchedulerUniversal makes a schedule whose universal target calls
// ecs:RunTask with a fresh group in its input.
func seedSchedulerUniversal(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("scheduler-universal-only")
	out, err := scheduler.NewFromConfig(n.cfg).CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("weekly-report"),
		ScheduleExpression: aws.String("rate(7 days)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String("arn:aws:scheduler:::aws-sdk:ecs:runTask"), RoleArn: aws.String(n.role),
			Input: aws.String(`{"Cluster":"jobs","TaskDefinition":"worker:1","LaunchType":"FARGATE","NetworkConfiguration":{"AwsvpcConfiguration":` +
				`{"Subnets":["` + n.subnets[0] + `"],"SecurityGroups":["` + g + `"]}}}`)}})
	must(t, "universal target schedule", err)
	return g, inventory.Evidence{Kind: "scheduler", ID: aws.ToString(out.ScheduleArn), Detail: "universal target aws-sdk:ecs:runTask"}
}

// seedPipeTarget makes a pipe from an SQS queue to ECS tasks.
func seedPipeTarget(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("pipe-target-only")
	out, err := pipes.NewFromConfig(n.cfg).CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("orders-to-tasks"), RoleArn: aws.String(n.role),
		Source: aws.String("arn:aws:sqs:" + n.region + ":" + moto.AccountID + ":orders"), Target: aws.String(ecsCluster(n)),
		TargetParameters: &pipestypes.PipeTargetParameters{EcsTaskParameters: &pipestypes.PipeTargetEcsTaskParameters{
			TaskDefinitionArn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":task-definition/worker:1"),
			NetworkConfiguration: &pipestypes.NetworkConfiguration{AwsvpcConfiguration: &pipestypes.AwsVpcConfiguration{
				Subnets: n.subnets[:1], SecurityGroups: []string{g}}}}}})
	must(t, "pipe with an ECS target", err)
	return g, inventory.Evidence{Kind: "pipes", ID: aws.ToString(out.Arn), Detail: "target"}
}

// seedPipeKafkaSource makes a pipe from a self-managed Kafka cluster
// reached in the VPC.
func seedPipeKafkaSource(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("pipe-source-only")
	out, err := pipes.NewFromConfig(n.cfg).CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("kafka-to-queue"), RoleArn: aws.String(n.role),
		Source: aws.String("smk://broker-1.internal:9092"), Target: aws.String("arn:aws:sqs:" + n.region + ":" + moto.AccountID + ":events"),
		SourceParameters: &pipestypes.PipeSourceParameters{SelfManagedKafkaParameters: &pipestypes.PipeSourceSelfManagedKafkaParameters{
			TopicName: aws.String("events"), Vpc: &pipestypes.SelfManagedKafkaAccessConfigurationVpc{Subnets: n.subnets, SecurityGroup: []string{g}}}}})
	must(t, "pipe with a self-managed Kafka source", err)
	return g, inventory.Evidence{Kind: "pipes", ID: aws.ToString(out.Arn), Detail: "source"}
}

func seedEMRServerless(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("emr-serverless-only")
	out, err := emrserverless.NewFromConfig(n.cfg).CreateApplication(ctx, &emrserverless.CreateApplicationInput{Name: aws.String("spark-etl"),
		ReleaseLabel: aws.String("emr-7.0.0"), Type: aws.String("SPARK"),
		NetworkConfiguration: &emrstypes.NetworkConfiguration{SubnetIds: n.subnets, SecurityGroupIds: []string{g}}})
	must(t, "EMR Serverless application", err)
	return g, inventory.Evidence{Kind: "emr_serverless", ID: aws.ToString(out.Arn)}
}

// seedRDSProxy makes a proxy; its endpoints come from a fake
// (proxyEndpointsFake).
func seedRDSProxy(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("rds-proxy-only")
	out, err := rds.NewFromConfig(n.cfg).CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String("pooler"),
		EngineFamily: rdstypes.EngineFamilyPostgresql, RoleArn: aws.String(n.role), VpcSubnetIds: n.subnets, VpcSecurityGroupIds: []string{g},
		Auth: []rdstypes.UserAuthConfig{{AuthScheme: rdstypes.AuthSchemeSecrets,
			SecretArn: aws.String("arn:aws:secretsmanager:" + n.region + ":" + moto.AccountID + ":secret:db-credentials")}}})
	must(t, "RDS proxy", err)
	return g, inventory.Evidence{Kind: "rds_proxy", ID: aws.ToString(out.DBProxy.DBProxyArn)}
}

// proxyEndpointsFake is the rds_proxy kind of the moto world: moto 5.2 has
// DescribeDBProxies, read from it by the collector's own code, but not
// DescribeDBProxyEndpoints, whose references the fake gives.
type proxyEndpointsFake struct {
	endpoints *fakeUses
}

func (f *proxyEndpointsFake) collect(ctx context.Context, r *useReader) ([]useRef, error) {
	out, err := readDBProxies(ctx, r)
	if err != nil {
		return nil, err
	}
	eps, err := f.endpoints.collect(ctx, r)
	if err != nil {
		return nil, err
	}
	return append(out, eps...), nil
}

// serverlessReader is a reader of one kind against a fake endpoint.
func serverlessReader(url, kind, service string) *useReader {
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	c := newCollector(cfg, Options{Regions: []string{"eu-west-1"}, Now: func() time.Time { return fixedNow }})
	return &useReader{c: c, cfg: cfg, account: "111122223333", partition: "aws", region: "eu-west-1",
		log: slog.New(slog.DiscardHandler), kind: kind, service: service}
}

// TestRedshiftServerlessWorkgroups: moto has no Redshift Serverless, so a
// fake endpoint (JSON 1.1) answers ListWorkgroups in two pages; every
// workgroup of both is read, with the largest page asked, and each
// reference names the workgroup's ARN.
func TestRedshiftServerlessWorkgroups(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if got := req.Header.Get("X-Amz-Target"); got != "RedshiftServerless.ListWorkgroups" {
			t.Errorf("unexpected operation %q", got)
		}
		var in struct {
			MaxResults int    `json:"maxResults"`
			NextToken  string `json:"nextToken"`
		}
		if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
			t.Error(err)
		}
		asked = append(asked, fmt.Sprintf("%d/%s", in.MaxResults, in.NextToken))
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.NextToken == "" {
			fmt.Fprint(w, `{"workgroups":[{"workgroupName":"analytics","workgroupArn":"arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/0a1b",`+
				`"securityGroupIds":["sg-0analytics","sg-0shared"]}],"nextToken":"p2"}`)
			return
		}
		fmt.Fprint(w, `{"workgroups":[{"workgroupName":"adhoc","workgroupArn":"arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/2c3d",`+
			`"securityGroupIds":["sg-0adhoc"]},{"workgroupName":"no-groups","workgroupArn":"arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/4e5f"}]}`)
	}))
	defer srv.Close()
	got, err := readRedshiftServerless(context.Background(), serverlessReader(srv.URL, "redshift_serverless", "redshift-serverless"))
	if err != nil {
		t.Fatal(err)
	}
	want := []useRef{
		{Group: "sg-0analytics", ID: "arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/0a1b"},
		{Group: "sg-0shared", ID: "arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/0a1b"},
		{Group: "sg-0adhoc", ID: "arn:aws:redshift-serverless:eu-west-1:111122223333:workgroup/2c3d"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(useRef{})); diff != "" {
		t.Errorf("readRedshiftServerless (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"100/", "100/p2"}, asked); diff != "" {
		t.Errorf("pages asked, maxResults/nextToken (-want +got):\n%s", diff)
	}
}

// TestRDSProxyEndpoints: moto has no DescribeDBProxyEndpoints, so a fake
// endpoint (RDS query protocol) answers both listings, each in two pages
// (Marker). A proxy's groups name the proxy; an endpoint made besides the
// default one names its own groups, with its own ARN and its proxy; the
// default endpoint, whose groups are the proxy's, adds nothing.
func TestRDSProxyEndpoints(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if err := req.ParseForm(); err != nil {
			t.Error(err)
		}
		action, marker := req.Form.Get("Action"), req.Form.Get("Marker")
		asked = append(asked, action+"/"+req.Form.Get("MaxRecords")+"/"+marker)
		next := ""
		if marker == "" {
			next = "<Marker>m2</Marker>"
		}
		switch action {
		case "DescribeDBProxies":
			name := map[string]string{"": "pooler", "m2": "reports"}[marker]
			fmt.Fprint(w, `<DescribeDBProxiesResponse><DescribeDBProxiesResult><DBProxies><member>`+
				`<DBProxyName>`+name+`</DBProxyName><DBProxyArn>arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-`+name+`</DBProxyArn>`+
				`<VpcSecurityGroupIds><member>sg-0`+name+`</member></VpcSecurityGroupIds></member></DBProxies>`+next+
				`</DescribeDBProxiesResult></DescribeDBProxiesResponse>`)
		case "DescribeDBProxyEndpoints":
			ep := `<member><DBProxyEndpointName>default</DBProxyEndpointName><DBProxyName>pooler</DBProxyName><IsDefault>true</IsDefault>` +
				`<DBProxyEndpointArn>arn:aws:rds:eu-west-1:111122223333:db-proxy-endpoint:prx-endpoint-default</DBProxyEndpointArn>` +
				`<VpcSecurityGroupIds><member>sg-0pooler</member></VpcSecurityGroupIds></member>`
			if marker != "" {
				ep = `<member><DBProxyEndpointName>read-only</DBProxyEndpointName><DBProxyName>pooler</DBProxyName><IsDefault>false</IsDefault>` +
					`<DBProxyEndpointArn>arn:aws:rds:eu-west-1:111122223333:db-proxy-endpoint:prx-endpoint-ro</DBProxyEndpointArn>` +
					`<VpcSecurityGroupIds><member>sg-0readers</member><member>sg-0other-vpc</member></VpcSecurityGroupIds></member>`
			}
			fmt.Fprint(w, `<DescribeDBProxyEndpointsResponse><DescribeDBProxyEndpointsResult><DBProxyEndpoints>`+ep+`</DBProxyEndpoints>`+next+
				`</DescribeDBProxyEndpointsResult></DescribeDBProxyEndpointsResponse>`)
		default:
			t.Errorf("unexpected action %q", action)
		}
	}))
	defer srv.Close()
	got, err := readRDSProxy(context.Background(), serverlessReader(srv.URL, "rds_proxy", "rds"))
	if err != nil {
		t.Fatal(err)
	}
	want := []useRef{
		{Group: "sg-0pooler", ID: "arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-pooler"},
		{Group: "sg-0reports", ID: "arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-reports"},
		{Group: "sg-0readers", ID: "arn:aws:rds:eu-west-1:111122223333:db-proxy-endpoint:prx-endpoint-ro", Detail: "endpoint of proxy pooler"},
		{Group: "sg-0other-vpc", ID: "arn:aws:rds:eu-west-1:111122223333:db-proxy-endpoint:prx-endpoint-ro", Detail: "endpoint of proxy pooler"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(useRef{})); diff != "" {
		t.Errorf("readRDSProxy (-want +got):\n%s", diff)
	}
	wantAsked := []string{"DescribeDBProxies/100/", "DescribeDBProxies/100/m2", "DescribeDBProxyEndpoints/100/", "DescribeDBProxyEndpoints/100/m2"}
	if diff := cmp.Diff(wantAsked, asked); diff != "" {
		t.Errorf("pages asked, Action/MaxRecords/Marker (-want +got):\n%s", diff)
	}
}

// denyAll answers every request as IAM does a denied one: AccessDenied
// in the RDS query protocol's XML, AccessDeniedException in the JSON
// protocols.
func denyAll(w http.ResponseWriter, req *http.Request) {
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied by test</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprint(w, `{"__type":"AccessDeniedException","message":"denied by test"}`)
}

// TestServerlessKindsDeniedAgainstMoto: with the five kinds' services
// denied (their real collectors, pointed at an endpoint that denies every
// call; the rest of the world read from moto), the row is denied, none of
// the five is collected, and each group only one of them names is
// reported "not checked: <what> could not be read (kind:Operation: ...)",
// never plainly unused; the other services' groups are still cleared and
// the truly unused group is still reported.
func TestServerlessKindsDeniedAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	w := seedUseWorld(t, ctx, s, region)
	deny := httptest.NewServer(http.HandlerFunc(denyAll))
	defer deny.Close()

	denied := map[string]struct {
		read   useFunc
		plural string
		code   string
	}{
		"scheduler":           {readScheduler, "EventBridge Scheduler schedules", "AccessDeniedException"},
		"pipes":               {readPipes, "EventBridge Pipes", "AccessDeniedException"},
		"emr_serverless":      {readEMRServerless, "EMR Serverless applications", "AccessDeniedException"},
		"redshift_serverless": {readRedshiftServerless, "Redshift Serverless workgroups", "AccessDeniedException"},
		"rds_proxy":           {readRDSProxy, "RDS proxies and proxy endpoints", "AccessDenied"},
	}
	c := w.collector(s.Config(ctx, region))
	for i, k := range c.useKinds {
		if d, ok := denied[k.Kind]; ok {
			c.useKinds[i].collector = useFunc(func(ctx context.Context, r *useReader) ([]useRef, error) {
				r.cfg.BaseEndpoint = aws.String(deny.URL)
				r.cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
				return d.read(ctx, r)
			})
		}
	}
	inv, err := c.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row := inv.Coverage[0]
	if row.Status != inventory.CoverageDenied || !slices.Contains(row.Collected, "lambda") {
		t.Errorf("coverage row %+v: want denied, lambda collected", row)
	}
	kinds := map[string]string{}
	for _, k := range useKinds() {
		kinds[k.Kind] = k.APIs[0]
	}
	for kind := range denied {
		if slices.Contains(row.Collected, kind) {
			t.Errorf("%s collected while denied", kind)
		}
		if want := kind + ":" + kinds[kind] + ": "; !strings.Contains(row.Detail, want) {
			t.Errorf("coverage detail %q does not name %q", row.Detail, want)
		}
	}

	unused := unusedFindings(evaluate(t, ctx, inv), w.vpc)
	seen := map[string]int{}
	for g, ev := range w.used {
		f, reported := unused[g]
		d, isDenied := denied[string(ev.Kind)]
		if !isDenied {
			if reported {
				t.Errorf("%s, named by %s %s, reported unused: %s", g, ev.Kind, ev.ID, f.Message)
			}
			continue
		}
		seen[string(ev.Kind)]++
		if !reported {
			t.Errorf("%s: no SGA008 finding while %s was not checked", g, ev.Kind)
			continue
		}
		want := d.plural + " could not be read (" + string(ev.Kind) + ":" + kinds[string(ev.Kind)] + ": " + d.code + ": denied by test"
		if !strings.Contains(f.Message, want) {
			t.Errorf("%s: message %q, want it to contain %q", g, f.Message, want)
		}
		if nc, _ := f.Evidence["not_checked"].([]any); !slices.Contains(nc, any(string(ev.Kind))) {
			t.Errorf("%s: evidence not_checked %v, want it to hold %s", g, nc, ev.Kind)
		}
		if !strings.Contains(f.Remediation, "# each prints nothing") {
			t.Errorf("%s: remediation %q deletes without checking %s", g, f.Remediation, ev.Kind)
		}
	}
	if diff := cmp.Diff(map[string]int{"scheduler": 2, "pipes": 2, "emr_serverless": 1, "redshift_serverless": 1, "rds_proxy": 2}, seen); diff != "" {
		t.Errorf("groups of the denied kinds in the world (-want +got):\n%s", diff)
	}
	for _, g := range w.unused {
		if _, ok := unused[g]; !ok {
			t.Errorf("%s is named by nothing but is not reported unused", g)
		}
	}
}

// TestScheduleNamesGroups: only a schedule whose target is an ECS
// resource or a universal target, in any partition, is read with
// GetSchedule; a target of another service is not, whatever its name.
func TestScheduleNamesGroups(t *testing.T) {
	for _, tc := range []struct {
		arn  string
		want bool
	}{
		{"arn:aws:ecs:eu-west-1:111122223333:cluster/jobs", true},
		{"arn:aws-cn:ecs:cn-north-1:111122223333:cluster/jobs", true},
		{"arn:aws:scheduler:::aws-sdk:ecs:runTask", true},
		{"arn:aws-us-gov:scheduler:::aws-sdk:ec2:runInstances", true},
		{"arn:aws:scheduler:eu-west-1:111122223333:schedule/default/aws-sdk:x", false},
		{"arn:aws:lambda:eu-west-1:111122223333:function:ecs", false},
		{"arn:aws:sqs:eu-west-1:111122223333:ecs", false},
		{"ecs", false},
		{"", false},
	} {
		if got := scheduleNamesGroups(tc.arn); got != tc.want {
			t.Errorf("scheduleNamesGroups(%q) = %v, want %v", tc.arn, got, tc.want)
		}
	}
}

// TestServerlessListingsPage: moto answers ListSchedules, ListPipes and
// ListApplications in one page whatever is asked, so fake endpoints
// (REST-JSON) answer each in two pages: the largest page is asked, the
// token is passed on, and the resources of both pages are read, each
// with its own ARN. Terminated EMR Serverless applications and schedules
// of other targets are not read.
func TestServerlessListingsPage(t *testing.T) {
	type page struct{ first, second string }
	tests := []struct {
		name    string
		kind    string
		service string
		read    useFunc
		size    string // the query parameter of the page size, and its value
		token   string // the query parameter of the token
		list    string // the listing's path
		pages   page
		details map[string]string // path of a resource → its description
		want    []useRef
	}{
		{
			name: "scheduler", kind: "scheduler", service: "scheduler", read: readScheduler,
			size: "MaxResults=100", token: "NextToken", list: "/schedules",
			pages: page{
				`{"Schedules":[{"Name":"nightly","GroupName":"jobs","Arn":"arn:aws:scheduler:eu-west-1:111122223333:schedule/jobs/nightly","Target":{"Arn":"arn:aws:ecs:eu-west-1:111122223333:cluster/c"}},` +
					`{"Name":"hourly","GroupName":"default","Arn":"arn:aws:scheduler:eu-west-1:111122223333:schedule/default/hourly","Target":{"Arn":"arn:aws:lambda:eu-west-1:111122223333:function:f"}}],"NextToken":"p2"}`,
				`{"Schedules":[{"Name":"weekly","GroupName":"default","Arn":"arn:aws:scheduler:eu-west-1:111122223333:schedule/default/weekly","Target":{"Arn":"arn:aws:scheduler:::aws-sdk:ec2:runInstances"}}]}`,
			},
			details: map[string]string{
				"/schedules/nightly?groupName=jobs": `{"Name":"nightly","Arn":"arn:aws:scheduler:eu-west-1:111122223333:schedule/jobs/nightly","Target":{"Arn":"arn:aws:ecs:eu-west-1:111122223333:cluster/c",` +
					`"EcsParameters":{"TaskDefinitionArn":"td","NetworkConfiguration":{"awsvpcConfiguration":{"Subnets":["subnet-1"],"SecurityGroups":["sg-0nightly"]}}}}}`,
				"/schedules/weekly?groupName=default": `{"Name":"weekly","Arn":"arn:aws:scheduler:eu-west-1:111122223333:schedule/default/weekly","Target":{"Arn":"arn:aws:scheduler:::aws-sdk:ec2:runInstances",` +
					`"Input":"{\"SecurityGroupIds\":[\"sg-0123456789abcdef0\",\"sg-0a1b2c3d\"],\"NetworkInterfaces\":[{\"Groups\":[\"sg-0123456789abcdef0\"]}],\"ImageId\":\"ami-1\"}"}}`,
			},
			want: []useRef{
				{Group: "sg-0nightly", ID: "arn:aws:scheduler:eu-west-1:111122223333:schedule/jobs/nightly"},
				{Group: "sg-0123456789abcdef0", ID: "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/weekly", Detail: "universal target aws-sdk:ec2:runInstances"},
				{Group: "sg-0a1b2c3d", ID: "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/weekly", Detail: "universal target aws-sdk:ec2:runInstances"},
			},
		},
		{
			name: "pipes", kind: "pipes", service: "pipes", read: readPipes,
			size: "Limit=100", token: "NextToken", list: "/v1/pipes",
			pages: page{
				`{"Pipes":[{"Name":"to-tasks","Arn":"arn:aws:pipes:eu-west-1:111122223333:pipe/to-tasks"}],"NextToken":"p2"}`,
				`{"Pipes":[{"Name":"from-kafka","Arn":"arn:aws:pipes:eu-west-1:111122223333:pipe/from-kafka"}]}`,
			},
			details: map[string]string{
				"/v1/pipes/to-tasks": `{"Name":"to-tasks","Arn":"arn:aws:pipes:eu-west-1:111122223333:pipe/to-tasks","TargetParameters":{"EcsTaskParameters":{"TaskDefinitionArn":"td",` +
					`"NetworkConfiguration":{"awsvpcConfiguration":{"Subnets":["subnet-1"],"SecurityGroups":["sg-0tasks"]}}}}}`,
				"/v1/pipes/from-kafka": `{"Name":"from-kafka","Arn":"arn:aws:pipes:eu-west-1:111122223333:pipe/from-kafka","SourceParameters":{"SelfManagedKafkaParameters":{"TopicName":"t",` +
					`"Vpc":{"Subnets":["subnet-1"],"SecurityGroup":["sg-0kafka"]}}}}`,
			},
			want: []useRef{
				{Group: "sg-0tasks", ID: "arn:aws:pipes:eu-west-1:111122223333:pipe/to-tasks", Detail: "target"},
				{Group: "sg-0kafka", ID: "arn:aws:pipes:eu-west-1:111122223333:pipe/from-kafka", Detail: "source"},
			},
		},
		{
			name: "EMR Serverless", kind: "emr_serverless", service: "emr-serverless", read: readEMRServerless,
			size: "maxResults=50", token: "nextToken", list: "/applications",
			pages: page{
				`{"applications":[{"id":"app1","name":"etl","arn":"arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1","state":"STOPPED","releaseLabel":"emr-7.0.0","type":"SPARK","createdAt":1,"updatedAt":1}],"nextToken":"p2"}`,
				`{"applications":[{"id":"app2","name":"gone","arn":"arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app2","state":"TERMINATED","releaseLabel":"emr-7.0.0","type":"SPARK","createdAt":1,"updatedAt":1},` +
					`{"id":"app3","name":"hive","arn":"arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app3","state":"CREATED","releaseLabel":"emr-7.0.0","type":"HIVE","createdAt":1,"updatedAt":1}]}`,
			},
			details: map[string]string{
				"/applications/app1": `{"application":{"applicationId":"app1","arn":"arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1","state":"STOPPED","releaseLabel":"emr-7.0.0","type":"SPARK",` +
					`"createdAt":1,"updatedAt":1,"networkConfiguration":{"subnetIds":["subnet-1"],"securityGroupIds":["sg-0etl"]}}}`,
				"/applications/app3": `{"application":{"applicationId":"app3","arn":"arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app3","state":"CREATED","releaseLabel":"emr-7.0.0","type":"HIVE",` +
					`"createdAt":1,"updatedAt":1,"networkConfiguration":{"subnetIds":["subnet-1"],"securityGroupIds":["sg-0hive"]}}}`,
			},
			want: []useRef{
				{Group: "sg-0etl", ID: "arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1"},
				{Group: "sg-0hive", ID: "arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app3"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The details are read concurrently (useFanOut): the handler
			// records under a lock.
			var mu sync.Mutex
			var listed, described []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				if req.URL.Path == tc.list {
					q := req.URL.Query()
					size, _, _ := strings.Cut(tc.size, "=")
					listed = append(listed, size+"="+q.Get(size)+" "+tc.token+"="+q.Get(tc.token))
					if q.Get(tc.token) == "" {
						fmt.Fprint(w, tc.pages.first)
					} else {
						fmt.Fprint(w, tc.pages.second)
					}
					return
				}
				key := req.URL.Path
				if req.URL.RawQuery != "" {
					key += "?" + req.URL.RawQuery
				}
				described = append(described, key)
				body, ok := tc.details[key]
				if !ok {
					w.WriteHeader(http.StatusNotFound)
					fmt.Fprint(w, `{"message":"no such resource `+key+`"}`)
					return
				}
				fmt.Fprint(w, body)
			}))
			defer srv.Close()
			got, err := tc.read(context.Background(), serverlessReader(srv.URL, tc.kind, tc.service))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(useRef{})); diff != "" {
				t.Errorf("references (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tc.size + " " + tc.token + "=", tc.size + " " + tc.token + "=p2"}, listed); diff != "" {
				t.Errorf("pages asked (-want +got):\n%s", diff)
			}
			slices.Sort(described)
			if diff := cmp.Diff(slices.Sorted(maps.Keys(tc.details)), described); diff != "" {
				t.Errorf("resources described (-want +got):\n%s", diff)
			}
		})
	}
}
