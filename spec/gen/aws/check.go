package aws

import (
	"maps"
	"regexp"
	"slices"

	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// StackName returns the name of the CloudFormation stack the template is
// deployed as: <service>, or <service>-<stage> when the provider sets a
// stage. Generate reports a spec whose stack name CloudFormation refuses,
// so a deploy can use it as it is.
func StackName(s *spec.Spec) string {
	if s.Provider.Stage != "" {
		return s.Service.Name + "-" + s.Provider.Stage
	}
	return s.Service.Name
}

// CloudFormation's rule for a stack name, and for the parts of ours.
var (
	stackNameRE  = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	stackStageRE = regexp.MustCompile(`^[-a-zA-Z0-9]*$`)
)

const (
	maxStackName   = 128
	stackNameRule  = "[a-zA-Z][-a-zA-Z0-9]*, at most 128 characters"
	stackNameWhere = "<service>-<stage>"
)

// checkStackName reports a service or stage that would give a stack name
// CloudFormation refuses. A service name may hold '_', which f.yml allows
// and Lambda's function names too, but a stack name does not: it is an
// error rather than a name mapped behind the user's back, so that the
// stack is named as the service is.
func (t *template) checkStackName() {
	service, stage := t.s.Service.Name, t.s.Provider.Stage
	name := StackName(t.s)
	switch {
	case !stackNameRE.MatchString(service):
		// spec records no position for service; the path names it.
		t.fail(spec.Pos{}, "service", "the CloudFormation stack name %q (%s) must match %s: the service name has %s", name, stackNameWhere, stackNameRule, offending(service))
	case !stackStageRE.MatchString(stage):
		t.fail(gen.ProviderPos(t.s, "stage"), "provider.stage", "the CloudFormation stack name %q (%s) must match %s: the stage has %s", name, stackNameWhere, stackNameRule, offending(stage))
	case len(name) > maxStackName:
		t.fail(gen.ProviderPos(t.s, "stage"), "provider.stage", "the CloudFormation stack name %q (%s) must match %s: it has %d characters", name, stackNameWhere, stackNameRule, len(name))
	}
}

// offending lists the characters of s a stack name cannot hold, quoted.
func offending(s string) string {
	bad := gen.Offending(s, func(i int, r rune) bool { return isAlnum(r) || r == '-' && i > 0 })
	if bad == "" {
		return "nothing wrong" // not reached: the name did not match
	}
	return bad
}

// envNameRE is Lambda's rule for an environment variable's name (the
// Lambda API's Environment.Variables key pattern).
var envNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)

// reservedEnv are the environment variables Lambda sets itself and refuses
// in a function's configuration: the reserved list of the Lambda
// developer guide ("Defined runtime environment variables"). The guide
// lists TZ, LANG, PATH, AWS_LAMBDA_EXEC_WRAPPER and others apart, as
// variables a function may set.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID",
	"AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// checkEnvironment reports the environment variables of a unit Lambda
// refuses: a reserved one, or a name that breaks its rule.
func (t *template) checkEnvironment(u *spec.Unit, env map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(env)) {
		switch {
		case slices.Contains(reservedEnv, name):
			pos, path := gen.EnvPos(t.s, u, name)
			t.fail(pos, path, "Lambda sets %s itself and refuses a function that sets it (a reserved environment variable)", name)
		case !envNameRE.MatchString(name):
			pos, path := gen.EnvPos(t.s, u, name)
			t.fail(pos, path, "Lambda takes an environment variable name of a letter and at least one more letter, digit or '_' ([a-zA-Z][a-zA-Z0-9_]+), not %q", name)
		}
	}
}

// regionShape is the shape of AWS's region names, such as us-east-1,
// ap-southeast-7 and us-gov-west-1: two to four letters, one or more
// words, and a number after a '-' (Google's us-central1 has none, and
// Aliyun's cn-hangzhou and Tencent's ap-guangzhou no number at all).
var regionShape = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)

// Regions are the regions Lambda offers: those of the "AWS Lambda
// endpoints and quotas" page of the AWS General Reference
// (docs.aws.amazon.com/general/latest/gr/lambda-service.html), the
// opt-in ones included, and those of the China (cn-north-1,
// cn-northwest-1) and GovCloud partitions, as the AWS SDKs' partitions
// data names them. A provider.region of another is an error, unless it
// has the shape of one (gen.Region).
var Regions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"af-south-1",
	"ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
	"cn-north-1", "cn-northwest-1",
	"us-gov-east-1", "us-gov-west-1",
}
