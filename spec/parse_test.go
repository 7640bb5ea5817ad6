package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is a valid spec the invalid cases change one thing of.
const base = `service: shop
provider:
  name: aws
functions:
  list:
    handler: list
    events:
      - http: {path: /items, method: get}
`

// laughs nests aliases ten deep, each holding ten of the one before: a
// billion strings, once expanded.
const laughs = `x-a: &a [a, a, a, a, a, a, a, a, a, a]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
x-h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
x-i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
x-j: &j [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]
`

// invalid are specs that each give exactly one error, with its position
// and key path.
var invalid = []struct {
	name, yaml, want string
}{
	{"yaml syntax", "service: shop\nprovider: [aws\n",
		`f.yml:2:11: did not find expected ',' or ']'`},
	{"not a mapping", "- a\n- b\n",
		`f.yml:1:1: want a mapping, not a list`},
	{"empty", "", `f.yml: the spec is empty`},
	{"only a comment", "# nothing\n", `f.yml: the spec is empty`},
	{"second document", base + "---\nfunctions:\n  b: {handler: b, memorySize: 99999}\n",
		`f.yml:9:1: a second YAML document (after ---): the spec is one document; merge it into the first, or remove it`},
	{"second document after an empty one", base + "---\n---\n# c\n---\nx: 1\n",
		`f.yml:12:1: a second YAML document (after ---): the spec is one document; merge it into the first, or remove it`},
	{"syntax error in a second document", base + "---\nfunctions: [a\n",
		`f.yml:9:1: a second YAML document (after ---): the spec is one document; merge it into the first, or remove it`},
	{"syntax error after an empty document", base + "---\n--- # c\nfunctions: [a\n",
		`f.yml:10:1: a second YAML document (after ---): the spec is one document; merge it into the first, or remove it`},

	{"unknown top-level key", base + "funtions: {}\n",
		`f.yml:9:1: funtions: unknown key "funtions" (did you mean "functions"?)`},
	{"unknown function key", strings.Replace(base, "    handler: list\n", "    handler: list\n    memory: 128\n", 1),
		`f.yml:7:5: functions.list.memory: unknown key "memory" (did you mean "memorySize"?)`},
	{"unset variable", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: ${env.TIMEOUT}\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not "${env.TIMEOUT}" (the environment variable TIMEOUT is not set)`},
	{"bad merge", strings.Replace(base, "  name: aws\n", "  name: aws\n  <<: [1]\n", 1),
		`f.yml:4:8: provider.<<: a merge key (<<) takes a mapping or a list of mappings, not a number`},
	{"wrong type", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: soon\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not "soon"`},
	{"hex number", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: 0x200\n", 1),
		`f.yml:4:15: provider.memorySize: want a whole number, not 0x200: write whole numbers in decimal, as 512`},
	{"octal number", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: 0o17\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not 0o17: write whole numbers in decimal, as 15`},
	{"number with a leading zero", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: 017\n", 1),
		`f.yml:4:15: provider.memorySize: want a whole number, not 017: it has a leading zero, which YAML 1.1 reads as octal (15) and YAML 1.2 as decimal (17): write it without the leading zero`},
	{"function's number with a leading zero", strings.Replace(base, "    handler: list\n", "    handler: list\n    timeout: 0600\n", 1),
		`f.yml:7:14: functions.list.timeout: want a whole number, not 0600: it has a leading zero, which YAML 1.1 reads as octal (384) and YAML 1.2 as decimal (600): write it without the leading zero`},
	{"negative number with a leading zero", strings.Replace(base, "  name: aws\n", "  name: aws\n  concurrency: -017\n", 1),
		`f.yml:4:16: provider.concurrency: want a whole number, not -017: it has a leading zero, which YAML 1.1 reads as octal (-15) and YAML 1.2 as decimal (-17): write it without the leading zero`},
	{"leading zero, not octal", strings.Replace(base, "  name: aws\n", "  name: aws\n  initTimeout: 09\n", 1),
		`f.yml:4:16: provider.initTimeout: want a whole number, not 09: it has a leading zero: write it without, as 9`},
	{"leading zero, zero", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: 00\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not 00: it has a leading zero: write it without, as 0`},
	{"leading zero in a string", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: '017'\n", 1),
		`f.yml:4:15: provider.memorySize: want a whole number, not 017: it has a leading zero: write it without, as 17`},
	{"leading zero from the environment", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: ${env.ZERO}\n", 1),
		`f.yml:4:15: provider.memorySize: want a whole number, not 017: it has a leading zero, which YAML 1.1 reads as octal (15) and YAML 1.2 as decimal (17): write it without the leading zero`},
	{"number too large", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: 99999999999999999999999\n", 1),
		`f.yml:4:15: provider.memorySize: want a whole number, not 99999999999999999999999: it is too large`},
	{"number with a fraction", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: 1.5\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not 1.5: it has a fraction`},
	{"number with an exponent", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: 1e3\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not 1e3: write whole numbers in decimal, without a fraction or an exponent, as 1000`},
	{"number from a string", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: '0x10'\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not 0x10: write whole numbers in decimal, as 16`},
	{"infinity", strings.Replace(base, "  name: aws\n", "  name: aws\n  timeout: .inf\n", 1),
		`f.yml:4:12: provider.timeout: want a whole number, not .inf: it is not a whole number`},
	{"negative memory", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: -1\n", 1),
		`f.yml:4:15: provider.memorySize: want a positive number, not -1`},
	{"zero timeout", strings.Replace(base, "    handler: list\n", "    handler: list\n    timeout: 0\n", 1),
		`f.yml:7:14: functions.list.timeout: want a positive number, not 0`},
	{"zero memory", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: 0\n", 1),
		`f.yml:4:15: provider.memorySize: want a positive number, not 0`},
	{"unknown platform", strings.Replace(base, "name: aws", "name: azure", 1),
		`f.yml:3:9: provider.name: unknown platform "azure": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)`},
	{"missing provider", strings.Replace(base, "provider:\n  name: aws\n", "", 1),
		`f.yml:1:1: provider.name: missing: name the platform, one of aws, fc, scf, gcf, web`},
	{"provider without a name", strings.Replace(base, "  name: aws\n", "  timeout: 3\n", 1),
		`f.yml:2:1: provider.name: missing: name the platform, one of aws, fc, scf, gcf, web`},
	{"empty provider", strings.Replace(base, "provider:\n  name: aws\n", "provider:\n", 1),
		`f.yml:2:1: provider.name: missing: name the platform, one of aws, fc, scf, gcf, web`},
	{"missing service", strings.Replace(base, "service: shop\n", "", 1),
		`f.yml:1:1: service: missing: name the service`},
	{"missing service after a comment", strings.Replace(base, "service: shop\n", "# the shop\n\n", 1),
		`f.yml:3:1: service: missing: name the service`},
	{"no functions", base[:strings.Index(base, "functions:")] + "functions: {}\n",
		`f.yml:4:1: functions: missing: declare at least one function`},
	{"missing functions", base[:strings.Index(base, "functions:")],
		`f.yml:1:1: functions: missing: declare at least one function`},
	{"bad service name", strings.Replace(base, "service: shop", "service: 9shop", 1),
		`f.yml:1:10: service: service name "9shop" must start with a letter and hold at most 63 letters, digits, '-' or '_'`},
	{"missing handler", strings.Replace(base, "    handler: list\n", "", 1),
		`f.yml:5:3: functions.list.handler: missing: name the function as the code registers it with app.Func`},
	{"bad function name", strings.Replace(base, "  list:", "  list items:", 1),
		`f.yml:5:3: functions.list items: function name "list items" must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'`},
	{"bad method", strings.Replace(base, "method: get", "method: GOT", 1),
		`f.yml:8:38: functions.list.events[0].http.method: "GOT" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY`},
	{"method twice", strings.Replace(base, "method: get", "method: [get, GET]", 1),
		`f.yml:8:44: functions.list.events[0].http.method[1]: method GET is listed twice`},
	{"bad protocol", strings.Replace(base, "method: get", "method: get, protocols: [https, ftp]", 1),
		`f.yml:8:62: functions.list.events[0].http.protocols[1]: "ftp" is not a protocol: want http or https`},
	{"protocol twice", strings.Replace(base, "method: get", "method: get, protocols: [https, HTTPS]", 1),
		`f.yml:8:62: functions.list.events[0].http.protocols[1]: protocol https is listed twice`},
	{"method a mapping", strings.Replace(base, "method: get", "method: {get: 1}", 1),
		`f.yml:8:38: functions.list.events[0].http.method: want a method or a list of methods, not a mapping`},
	{"protocols a mapping", strings.Replace(base, "method: get", "method: get, protocols: {https: 1}", 1),
		`f.yml:8:54: functions.list.events[0].http.protocols: want http, https or a list of both, not a mapping`},
	{"no protocols", strings.Replace(base, "method: get", "method: get, protocols: []", 1),
		`f.yml:8:54: functions.list.events[0].http.protocols: want http, https or both, not an empty list`},
	{"missing path", strings.Replace(base, "path: /items, ", "", 1),
		`f.yml:8:15: functions.list.events[0].http.path: missing`},
	{"bad path", strings.Replace(base, "path: /items", "path: '/items/{id'", 1),
		`f.yml:8:30: functions.list.events[0].http.path: segment "{id": a parameter must be a whole segment, closed by "}"`},
	{"path with a space", strings.Replace(base, "path: /items", "path: /my items", 1),
		`f.yml:8:25: functions.list.events[0].http.path: the path holds a space, which a URL path cannot hold as it is`},
	{"path with a space after a letter beyond ASCII", strings.Replace(base, "path: /items", "path: '/café menu'", 1),
		`f.yml:8:28: functions.list.events[0].http.path: the path holds a space, which a URL path cannot hold as it is`},
	{"path with a query", strings.Replace(base, "path: /items", "path: '/items?all=1'", 1),
		`f.yml:8:29: functions.list.events[0].http.path: the path holds '?', which begins a URL's query: a route matches the path alone`},
	{"path without slash", strings.Replace(base, "path: /items", "path: items", 1),
		`f.yml:8:22: functions.list.events[0].http.path: path must start with "/"`},
	{"path with a method", strings.Replace(base, "path: /items, method: get", "path: 'get /items'", 1),
		`f.yml:8:22: functions.list.events[0].http.path: path "get /items" starts with the method get: a path starts with "/"; give the method under method, as {path: /items, method: get}`},
	{"path with a method and a tab", strings.Replace(base, "path: /items, method: get", `path: "POST\t/items"`, 1),
		`f.yml:8:22: functions.list.events[0].http.path: path "POST\t/items" starts with the method POST: a path starts with "/"; give the method under method, as {path: /items, method: POST}`},
	{"duplicate route", base + "  get:\n    handler: get\n    events:\n      - apigw: {path: /items, method: GET}\n",
		`f.yml:12:9: functions.get.events[0].apigw: route GET /items is declared twice: also at f.yml:8:9 (functions.list.events[0].http)`},
	{"event with two keys", strings.Replace(base, "      - http: {path: /items, method: get}\n", "      - http: {path: /items}\n        timer: {value: '* * * * *'}\n", 1),
		`f.yml:8:9: functions.list.events[0]: an event is an object of one key, such as - http: {path: /items}; this one has 2 keys (http, timer)`},
	{"unknown event", strings.Replace(base, "- http:", "- cron:", 1),
		`f.yml:8:9: functions.list.events[0].cron: unknown event "cron": want one of apigw, cmq, cos, http, kafka, log, message, mns, mq, os, oss, s3, sns, sqs, storage, timer`},
	{"bad cron", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '61 * * * *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "61 * * * *": minute field "61": 61 is out of range 0-59`},
	{"six-field cron, seconds not 0", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '30 0 3 * * *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "30 0 3 * * *" has 6 fields, FC's own, with seconds first, 30: f.yml's has 5: minute hour day-of-month month day-of-week, ` +
			`which fires at second 0 (give 0 for the seconds, or drop them); or give FC's own trigger in functions.list.platforms.fc.triggers ` +
			`([{triggerName: <name>, triggerType: timer, triggerConfig: {cronExpression: '30 0 3 * * *'}}], a list that replaces the function's generated triggers) and leave this timer out`},
	{"six-field cron, AWS's", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '0 3 * * ? *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "0 3 * * ? *" has 6 fields, AWS's own, with a year: f.yml's has 5: minute hour day-of-month month day-of-week (drop the year), ` +
			`or give AWS's own as an event of the function, functions.list.platforms.aws.Events.<name>: {Type: Schedule, Properties: {Schedule: 'cron(0 3 * * ? *)'}}, and leave this timer out`},
	{"seven-field cron", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '0 0 3 * * * *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "0 0 3 * * * *" has 7 fields, seconds first and a year last, as SCF's own: f.yml's has 5: minute hour day-of-month month day-of-week ` +
			`(drop the seconds and the year); or give SCF's own under functions.list.platforms.scf and leave this timer out`},
	{"four-field cron", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '0 3 * *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "0 3 * *" has 4 fields, want 5: minute hour day-of-month month day-of-week`},
	{"FC's six-field cron, out of range", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {value: '0 0 25 * * *'}", 1),
		`f.yml:8:24: functions.list.events[0].timer.value: cron "0 0 25 * * *": hour field "25": 25 is out of range 0-23`},
	{"bad every", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {type: every, value: 30s}", 1),
		`f.yml:8:37: functions.list.events[0].timer.value: "30s": a timer ticks every whole number of minutes, at least one`},
	{"bad timer type", strings.Replace(base, "- http: {path: /items, method: get}", "- timer: {type: hourly, value: '0 * * * *'}", 1),
		`f.yml:8:23: functions.list.events[0].timer.type: timer type "hourly" is not one of cron, every`},
	{"storage without bucket", strings.Replace(base, "- http: {path: /items, method: get}", "- oss: {events: [oss:ObjectCreated:*]}", 1),
		`f.yml:8:14: functions.list.events[0].oss.bucket: missing`},
	{"message without topic", strings.Replace(base, "- http: {path: /items, method: get}", "- mns: {tags: a}", 1),
		`f.yml:8:14: functions.list.events[0].mns: missing topic or queue: name what the function reads`},
	{"bad strategy", strings.Replace(base, "- http: {path: /items, method: get}", "- mq: {topic: t, strategy: RETRY}", 1),
		`f.yml:8:34: functions.list.events[0].mq.strategy: strategy "RETRY" is not one of BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY`},
	{"unknown platform block", base + "platforms:\n  azure: {x: 1}\n",
		`f.yml:10:3: platforms.azure: unknown platform "azure": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)`},
	{"platform block not a mapping", base + "platforms:\n  aws: [1]\n",
		`f.yml:10:8: platforms.aws: want a mapping of the platform's own settings, not a list`},
	{"bad glob", base + "aggregation:\n  api:\n    functionsPattern: ['list[']\n",
		`f.yml:11:24: aggregation.api.functionsPattern[0]: bad pattern "list[": syntax error in pattern`},
	{"group of unknown function", base + "aggregation:\n  api:\n    functions: [lists]\n",
		`f.yml:11:17: aggregation.api.functions[0]: no function is named "lists"`},
	{"function in two groups", base + "aggregation:\n  a:\n    functions: [list]\n  b:\n    functions: [list]\n",
		`f.yml:13:17: aggregation.b.functions[0]: function "list" is already in group "a" (f.yml:10:3): a function belongs to one group`},
	{"function of a group listed in a later group", base + "aggregation:\n  a:\n    functionsPattern: ['*']\n  b:\n    functions: [list]\n",
		`f.yml:13:17: aggregation.b.functions[0]: function "list" is already in group "a" (f.yml:10:3): a function belongs to one group`},
	{"patterns matching only what earlier groups hold", base + "aggregation:\n  a:\n    functions: [list]\n  b:\n    functionsPattern: ['l*']\n",
		`f.yml:13:23: aggregation.b.functionsPattern: the patterns l* match only functions earlier groups hold: list (group a)`},
	{"two groups on one prefix", base + "  get:\n    handler: get\n    events:\n      - http: {path: '/items/{id}'}\n" +
		"aggregation:\n  a:\n    functions: [list]\n  b:\n    functions: [get]\n",
		`f.yml:16:3: aggregation.b: group "b" routes /items/*, as group "a" does (f.yml:14:3): a gateway could not tell them apart`},
	{"empty group", base + "aggregation:\n  api: {deployOrigin: true}\n",
		`f.yml:10:3: aggregation.api: the group selects no functions: give functions or functionsPattern`},
	{"pattern matching nothing", base + "aggregation:\n  api:\n    functionsPattern: [render*]\n",
		`f.yml:11:23: aggregation.api.functionsPattern: the patterns render* match no function`},
	{"key twice", strings.Replace(base, "  name: aws\n", "  name: aws\n  name: fc\n", 1),
		`f.yml:4:3: provider.name: given twice (first at f.yml:3:3)`},
	{"function twice", base + "  list:\n    handler: list2\n",
		`f.yml:9:3: functions.list: given twice (first at f.yml:5:3)`},
	{"bad architecture", strings.Replace(base, "  name: aws\n", "  name: aws\n  architecture: riscv\n", 1),
		`f.yml:4:17: provider.architecture: architecture "riscv" is not one of x86_64, arm64`},
	{"bad boolean", strings.Replace(base, "method: get", "method: get, cors: maybe", 1),
		`f.yml:8:49: functions.list.events[0].http.cors: want true or false, not "maybe"`},
	{"group twice", base + "aggregation:\n  g: {functions: [list]}\n  g: {functions: [list]}\n",
		`f.yml:11:3: aggregation.g: given twice (first at f.yml:10:3)`},
	{"handler twice", strings.Replace(base, "    handler: list\n", "    handler: list\n    handler: get\n", 1),
		`f.yml:7:5: functions.list.handler: given twice (first at f.yml:6:5)`},
	{"variable twice", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment:\n    A: x\n    A: y\n", 1),
		`f.yml:6:5: provider.environment.A: given twice (first at f.yml:5:5)`},
	{"key twice in a free-form block", base + "custom:\n  domain: {name: a, name: b}\n",
		`f.yml:10:21: custom.domain.name: given twice (first at f.yml:10:12)`},
	{"platform twice under two names", base + "platforms:\n  aws: {}\n  lambda: {}\n",
		`f.yml:11:3: platforms.lambda: names platform aws, as aws does (f.yml:10:3): give each platform once`},
	{"region twice under two names", strings.Replace(base, "  name: aws\n", "  name: aws\n  region: {fc: a, aliyun: b}\n", 1),
		`f.yml:4:19: provider.region.aliyun: names platform fc, as fc does (f.yml:4:12): give each platform once`},
	{"function twice in a group", base + "aggregation:\n  g: {functions: [list, list]}\n",
		`f.yml:10:25: aggregation.g.functions[1]: function "list" is listed twice`},
	{"group named as an ungrouped function", base + "  api: {handler: api}\naggregation:\n  api: {functions: [list]}\n",
		`f.yml:11:3: aggregation.api: group "api" would deploy as "api", as function "api" does (f.yml:9:3, which no group holds): rename one`},
	{"group named as its function deployed on its own", base + "aggregation:\n  list: {functions: [list], deployOrigin: true}\n",
		`f.yml:10:3: aggregation.list: group "list" would deploy as "list", as function "list" does (f.yml:5:3, which group "list" deploys on its own too (deployOrigin)): rename one`},
	{"two functions deployed as one name", base + "  get:\n    handler: get\n    name: list\n",
		`f.yml:11:11: functions.get.name: function "get" would deploy as "list", as function "list" does (f.yml:5:3, which no group holds): rename one`},
	{"bad deployed name", strings.Replace(base, "    handler: list\n", "    handler: list\n    name: list items\n", 1),
		`f.yml:7:11: functions.list.name: function name "list items" must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'`},
	{"recursive alias", base + "x-loop: &x [*x]\n",
		`f.yml:9:13: x-loop[0]: alias *x is inside the node it names (&x at f.yml:9:9): it would never end`},
	{"recursive alias in a mapping", base + "x-loop: &x {a: {b: *x}}\n",
		`f.yml:9:20: x-loop.a.b: alias *x is inside the node it names (&x at f.yml:9:9): it would never end`},
	{"billion laughs", base + laughs,
		`f.yml:13:38: x-e[7]: aliases expand the spec by more than 100000 nodes: are they nested too deep?`},
	{"artifact with a directory", base + "package: {artifact: out/f.zip}\n",
		`f.yml:9:21: package.artifact: "out/f.zip" is not a file name: name the artifact's file, such as serverless.zip, without a directory`},
	{"artifact ..", base + "package: {artifact: '..'}\n",
		`f.yml:9:21: package.artifact: ".." is not a file name: name the artifact's file, such as serverless.zip, without a directory`},
	{"artifact empty", base + "package: {artifact: ''}\n",
		`f.yml:9:21: package.artifact: "" is not a file name: name the artifact's file, such as serverless.zip, without a directory`},
	{"absolute include", base + "package:\n  include: [static, /etc/passwd]\n",
		`f.yml:10:21: package.include[1]: "/etc/passwd" is an absolute path: name files relative to the project directory`},
	{"include leaving the project", base + "package:\n  include: static/../../secrets\n",
		`f.yml:10:12: package.include: "static/../../secrets" leaves the project directory (..): name files inside it`},
	{"bad include glob", base + "package:\n  include: ['static/[a']\n",
		`f.yml:10:13: package.include[0]: "static/[a" is not a valid pattern: syntax error in pattern`},
	{"bad exclude glob", base + "package:\n  exclude: ['*.go', '[']\n",
		`f.yml:10:21: package.exclude[1]: "[" is not a valid pattern: syntax error in pattern`},
	{"empty function", base + "  get:\n",
		`f.yml:9:3: functions.get.handler: missing: name the function as the code registers it with app.Func`},
	{"empty group", base + "aggregation:\n  api:\n",
		`f.yml:10:3: aggregation.api: the group selects no functions: give functions or functionsPattern`},
	{"custom not a mapping", base + "custom: [a]\n",
		`f.yml:9:9: custom: want a mapping of free-form settings, not a list`},
	{"environment name empty", strings.Replace(base, "    handler: list\n", "    handler: list\n    environment:\n      \"\": e\n", 1),
		`f.yml:8:7: functions.list.environment."": an environment variable's name is empty: name it, such as MODE`},
	{"environment name with '='", strings.Replace(base, "    handler: list\n", "    handler: list\n    environment:\n      A=B: e\n", 1),
		`f.yml:8:7: functions.list.environment."A=B": the environment variable name "A=B" holds '=', which ends a variable's name (an environment holds NAME=value): no platform can set it; rename it`},
	{"provider environment name with '='", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment: {MODE: a, \"=X\": b}\n", 1),
		`f.yml:4:26: provider.environment."=X": the environment variable name "=X" holds '=', which ends a variable's name (an environment holds NAME=value): no platform can set it; rename it`},
	{"environment name with a NUL", strings.Replace(base, "    handler: list\n", "    handler: list\n    environment: {\"A\\0\": e}\n", 1),
		`f.yml:7:19: functions.list.environment."A\x00": the environment variable name "A\x00" holds a NUL character, which ends a variable (an environment holds NAME=value strings, each ended by a NUL): no platform can set it; rename it`},
	{"environments in conflict", base + "    environment: {MODE: a}\n  get:\n    handler: get\n    environment: {MODE: b}\n" +
		"aggregation:\n  api: {functions: [list, get]}\n",
		`f.yml:12:19: functions.get.environment.MODE: group "api" deploys functions list and get as one unit, but list sets MODE to "a" (f.yml:9:19) and get to "b": give both one value, or deploy them apart`},
	{"environment in conflict with the provider's", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment: {MODE: prod}\n", 1) +
		"    environment: {MODE: debug}\n  get: {handler: get}\naggregation:\n  api: {functions: [list, get]}\n",
		`f.yml:10:19: functions.list.environment.MODE: group "api" deploys functions list and get as one unit, but list sets MODE to "debug" and get takes "prod" from provider.environment (f.yml:4:17): give both one value, or deploy them apart`},
	{"batch size zero", base + "  worker:\n    handler: worker\n    events:\n      - sqs: {queue: jobs, batchSize: 0}\n",
		`f.yml:12:39: functions.worker.events[0].sqs.batchSize: want a positive number, not 0`},
	{"batch size a fraction", base + "  worker:\n    handler: worker\n    events:\n      - sqs: {queue: jobs, batchSize: 2.5}\n",
		`f.yml:12:39: functions.worker.events[0].sqs.batchSize: want a whole number, not 2.5: it has a fraction`},
	{"batching window below zero", base + "  worker:\n    handler: worker\n    events:\n      - sqs: {queue: jobs, maximumBatchingWindow: -1}\n",
		`f.yml:12:51: functions.worker.events[0].sqs.maximumBatchingWindow: want a number of seconds, 0 or more, not -1`},
	{"batch size on a timer", base + "  worker:\n    handler: worker\n    events:\n      - timer: {value: '* * * * *', batchSize: 5}\n",
		`f.yml:12:37: functions.worker.events[0].timer.batchSize: unknown key "batchSize" (known keys: enable, interval, name, payload, region, retryTime, role, serviceId, timeout, type, value, version)`},
}

// invalidEnv is the environment the invalid specs see.
var invalidEnv = map[string]string{"ZERO": "017"}

func TestInvalid(t *testing.T) {
	if len(invalid) < 25 {
		t.Fatalf("only %d invalid specs", len(invalid))
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.yml", []byte(tt.yaml), func(k string) string { return invalidEnv[k] })
			if s != nil {
				t.Fatal("Parse returned a spec with an error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v is not Errors", err)
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1:\n%v", len(errs), err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Document markers around the one document are no second document.
func TestOneDocument(t *testing.T) {
	for _, tt := range []struct{ name, yaml string }{
		{"marker before", "---\n" + base},
		{"marker after", base + "---\n"},
		{"end marker", base + "...\n"},
		{"empty documents after", base + "---\n--- # c\n---\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("f.yml", []byte(tt.yaml), nil); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

// A route check that cannot parse a route reports it: the manifest would
// hold a route the App refuses at start. Parse refuses such a path where
// it reads it; this builds the spec by hand to reach the check.
func TestCheckRoutesBadPath(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"method in the path", "GET /items",
			`f.yml:8:9: functions.list.events[0].http: route "ANY GET /items": path must start with "/" (at offset 4): the App would refuse it at start`},
		{"no slash", "items",
			`f.yml:8:9: functions.list.events[0].http: route "ANY items": path must start with "/" (at offset 4): the App would refuse it at start`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{File: "f.yml", Functions: []*Function{{Name: "list", Handler: "list", Events: []*Event{
				{Trigger: TriggerHTTP, Key: "http", Pos: Pos{8, 9}, HTTP: &HTTPEvent{Path: tt.path}},
			}}}}
			errs := s.checkRoutes()
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("checkRoutes (-want +got):\n%s", diff)
			}
		})
	}
}

// A message event's batch settings are read, and KeyPos places an error
// about one at its value.
func TestMessageBatch(t *testing.T) {
	s, err := Parse("f.yml", []byte(base+`  worker:
    handler: worker
    events:
      - sqs:
          queue: jobs
          batchSize: "100"
          maximumBatchingWindow: 5
      - mns: {topic: t}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Function("worker")
	got := []any{*f.Events[0].Message, *f.Events[1].Message,
		f.Events[0].KeyPos("batchSize"), f.Events[0].KeyPos("maximumBatchingWindow"), f.Events[0].KeyPos("tags")}
	want := []any{MessageEvent{Queue: "jobs", BatchSize: 100, BatchWindow: 5}, MessageEvent{Topic: "t"},
		Pos{14, 22}, Pos{15, 34}, f.Events[0].Pos}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name, agg string
		want      []string
	}{
		{"patterns alone", "aggregation:\n  g:\n    functionsPattern: ['*']\n", nil},
		{"list alone", "aggregation:\n  g:\n    functions: [list]\n", nil},
		{"list and patterns", "aggregation:\n  g:\n    functions: [list]\n    functionsPattern: ['*']\n",
			[]string{`f.yml:12:23: aggregation.g.functionsPattern: ignored: the group's functions list says which functions it holds, as in Midway; remove one of them`}},
		{"list and patterns in flow style", "aggregation:\n  g: {functionsPattern: ['*'], functions: [list]}\n",
			[]string{`f.yml:10:25: aggregation.g.functionsPattern: ignored: the group's functions list says which functions it holds, as in Midway; remove one of them`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.yml", []byte(base+tt.agg), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range s.Warnings {
				got = append(got, w.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
