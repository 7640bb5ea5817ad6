package catalog

// The entries, in the order Find returns them: for each platform and
// trigger, the source the platform most commonly delivers first. Each
// sample is samples/<platform>/<kind>.json; samples/SOURCES.md says where
// it was published.

const (
	lambdaGo   = "aws/aws-lambda-go events/testdata/"
	powertools = "aws-powertools/powertools-lambda-python tests/events/"
	apache     = " (Apache-2.0)"
	mit0       = " (MIT-0)"
	fcDocs     = `Alibaba Cloud docs, FC 3.0 "formats of event for different triggers"`
	fcGoSDK    = "aliyun/fc-runtime-go-sdk events/"
	fc3        = "devsapp/fc3 src/subCommands/trigger-template/event-template/"
	scfDocs    = "tencentyun/intlcloud-documents, SCF trigger event message structures"
	ffConform  = "GoogleCloudPlatform/functions-framework-conformance events/generate/data/"
	gcEvents   = "googleapis/google-cloudevents examples/"

	structured = "application/cloudevents+json"
	plainJSON  = "application/json"
)

var catalog = build([]sample{
	// aws
	{Entry: Entry{Platform: "aws", Kind: "apigw-v2", Description: "API Gateway HTTP API request, payload format 2.0",
		Source: lambdaGo + "apigw-v2-request-no-authorizer.json" + apache}, mapping: awsHTTPv2, ids: []idField{id("/requestContext/requestId")}},
	{Entry: Entry{Platform: "aws", Kind: "apigw-v1", Description: "API Gateway REST API request, Lambda proxy integration (payload format 1.0)",
		Source: lambdaGo + "apigw-request.json" + apache}, mapping: awsHTTPv1, ids: []idField{id("/requestContext/requestId"), id("/requestContext/extendedRequestId")}},
	{Entry: Entry{Platform: "aws", Kind: "function-url", Description: "Lambda function URL request (payload format 2.0)",
		Source: lambdaGo + "lambda-urls-request.json" + apache}, mapping: awsHTTPv2, ids: []idField{uuid("/requestContext/requestId")}},
	{Entry: Entry{Platform: "aws", Kind: "alb", Description: "Application Load Balancer request to a Lambda target (single-value headers)",
		Source: lambdaGo + "alb-lambda-target-request-headers-only.json" + apache}, mapping: awsALB},
	{Entry: Entry{Platform: "aws", Kind: "schedule", Description: "EventBridge (CloudWatch Events) scheduled rule",
		Source: "aws/aws-lambda-go events/cloudwatch_events_test.go (a string literal)" + apache}, mapping: awsSchedule, ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "aws", Kind: "s3", Description: "S3 event notification, ObjectCreated:Put",
		Source: lambdaGo + "s3-event.json" + apache}, mapping: awsS3, ids: []idField{id("/Records/*/responseElements/x-amz-request-id")}},
	{Entry: Entry{Platform: "aws", Kind: "eventbridge-s3", Description: "S3 Object Created event delivered through EventBridge",
		Source: powertools + "s3EventBridgeNotificationObjectCreatedEvent.json" + mit0}, mapping: awsS3EventBridge, ids: []idField{id("/id"), id("/detail/request-id")}},
	{Entry: Entry{Platform: "aws", Kind: "sqs", Description: "SQS queue batch (event source mapping)",
		Source: lambdaGo + "sqs-event.json" + apache}, mapping: awsSQS, ids: []idField{uuid("/Records/*/messageId")}},
	{Entry: Entry{Platform: "aws", Kind: "sns", Description: "SNS topic notification",
		Source: lambdaGo + "sns-event.json" + apache}, mapping: awsSNS, ids: []idField{id("/Records/*/Sns/MessageId")}},
	{Entry: Entry{Platform: "aws", Kind: "kinesis", Description: "Kinesis Data Streams batch of two records",
		Source: lambdaGo + "kinesis-event.json" + apache}, mapping: awsKinesis},
	{Entry: Entry{Platform: "aws", Kind: "kafka", Description: "Amazon MSK (Kafka) batch",
		Source: lambdaGo + "kafka-event.json" + apache}, mapping: awsKafka},
	{Entry: Entry{Platform: "aws", Kind: "mq", Description: "Amazon MQ for ActiveMQ batch",
		Source: lambdaGo + "activemq-event.json" + apache}, mapping: awsActiveMQ},
	{Entry: Entry{Platform: "aws", Kind: "rabbitmq", Description: "Amazon MQ for RabbitMQ batch",
		Source: lambdaGo + "rabbitmq-event.json" + apache}, mapping: awsRabbitMQ},
	{Entry: Entry{Platform: "aws", Kind: "cloudwatch-logs", Description: "CloudWatch Logs subscription filter (gzip and base64 payload)",
		Source: lambdaGo + "cloudwatch-logs-event.json" + apache}, mapping: raw("log")},
	{Entry: Entry{Platform: "aws", Kind: "websocket", Description: "API Gateway WebSocket message on the $default route",
		Source: lambdaGo + "apigw-websocket-request-send-message.json" + apache}, mapping: raw("websocket"), ids: []idField{id("/requestContext/requestId", "/requestContext/extendedRequestId"), id("/requestContext/messageId")}},
	{Entry: Entry{Platform: "aws", Kind: "dynamodb", Description: "DynamoDB Streams batch",
		Source: lambdaGo + "dynamodb-event.json" + apache}, mapping: raw("dynamodb"), ids: []idField{id("/Records/*/eventID")}},
	{Entry: Entry{Platform: "aws", Kind: "eventbridge", Description: "EventBridge event from a service (EC2 instance state change)",
		Source: powertools + "eventBridgeEvent.json" + mit0}, mapping: raw("eventbridge"), ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "aws", Kind: "cognito", Description: "Cognito user pool PreSignUp trigger",
		Source: lambdaGo + "cognito-event-userpools-presignup.json" + apache}, mapping: raw("cognito")},
	{Entry: Entry{Platform: "aws", Kind: "cloudformation", Description: "CloudFormation custom resource Create request",
		Source: powertools + "cloudformationCustomResourceCreate.json" + mit0}, mapping: raw("cloudformation"), ids: []idField{uuid("/RequestId")}},
	{Entry: Entry{Platform: "aws", Kind: "authorizer", Description: "API Gateway REST Lambda authorizer input, REQUEST type",
		Source: lambdaGo + "apigw-custom-auth-request-type-request.json" + apache}, mapping: raw("authorizer"), ids: []idField{uuid("/requestContext/requestId")}},
	{Entry: Entry{Platform: "aws", Kind: "secretsmanager", Description: "Secrets Manager rotation step",
		Source: lambdaGo + "secretsmanager-secret-rotation-event.json" + apache}, mapping: raw("secretsmanager")},
	{Entry: Entry{Platform: "aws", Kind: "s3-batch", Description: "S3 Batch Operations invocation, schema 2.0",
		Source: lambdaGo + "s3-batch-job-event-request-2.0.json" + apache}, mapping: raw("s3-batch")},
	{Entry: Entry{Platform: "aws", Kind: "s3-object-lambda", Description: "S3 Object Lambda GetObject request",
		Source: lambdaGo + "s3-object-lambda-event-get-object-iam.json" + apache}, mapping: raw("s3-object-lambda")},
	{Entry: Entry{Platform: "aws", Kind: "firehose", Description: "Kinesis Data Firehose data transformation",
		Source: lambdaGo + "kinesis-firehose-event.json" + apache}, mapping: raw("firehose")},
	{Entry: Entry{Platform: "aws", Kind: "cloudwatch-alarm", Description: "CloudWatch alarm state change invoking Lambda directly",
		Source: powertools + "cloudWatchAlarmEventSingleMetric.json" + mit0}, mapping: raw("cloudwatch-alarm")},
	{Entry: Entry{Platform: "aws", Kind: "config", Description: "AWS Config custom rule evaluation",
		Source: lambdaGo + "config-event.json" + apache}, mapping: raw("config")},
	{Entry: Entry{Platform: "aws", Kind: "ses", Description: "SES email receiving rule, Lambda action",
		Source: lambdaGo + "ses-lambda-event.json" + apache}, mapping: raw("ses")},
	{Entry: Entry{Platform: "aws", Kind: "codecommit", Description: "CodeCommit repository trigger",
		Source: lambdaGo + "code-commit-event.json" + apache}, mapping: raw("codecommit"), ids: []idField{id("/Records/*/eventId")}},
	{Entry: Entry{Platform: "aws", Kind: "iot-button", Description: "AWS IoT button press, a direct invocation of no known source",
		Source: lambdaGo + "iot-button-event.json" + apache}, mapping: raw("raw")},

	// fc
	{Entry: Entry{Platform: "fc", Kind: "http", Description: "FC 3.0 HTTP trigger request (the documented request struct)",
		Source: "Alibaba Cloud docs, FC 3.0 HTTP trigger, via zxxzzzzz/foot-proxy readme.md (licence not stated)"}, mapping: fcHTTP, ids: []idField{id("/requestContext/requestId")}},
	{Entry: Entry{Platform: "fc", Kind: "apigw", Description: "Aliyun API Gateway request (built from the documented format: no public sample is valid JSON)",
		Source: "adapters/fc/testdata/events/apigw-get.json (anyfaas, from the documented format)"}, mapping: fcAPIGateway, ids: []idField{id("/headers/X-Ca-Request-Id")}},
	{Entry: Entry{Platform: "fc", Kind: "timer", Description: "FC timer trigger",
		Source: fcDocs + " (licence not stated)"}, mapping: fcTimer},
	{Entry: Entry{Platform: "fc", Kind: "oss", Description: "OSS event notification, ObjectCreated:PutObject",
		Source: fc3 + "oss.json (MIT)"}, mapping: fcOSS, ids: []idField{id("/events/*/responseElements/requestId")}},
	{Entry: Entry{Platform: "fc", Kind: "mns-topic", Description: "MNS topic notification, JSON format",
		Source: fc3 + "mns-without-MessageAttributes.json (MIT)"}, mapping: fcMNSTopic, ids: []idField{id("/MessageId")}},
	{Entry: Entry{Platform: "fc", Kind: "mns-topic-stream", Description: "MNS topic notification, STREAM format with message attributes",
		Source: fc3 + "mns-stream.json (MIT)"}, mapping: fcMNSStream},
	{Entry: Entry{Platform: "fc", Kind: "mns-queue", Description: "MNS queue trigger (EventBridge CloudEvent)",
		Source: fcGoSDK + "README_MNS_Queue.md" + apache}, mapping: fcMNSQueue, ids: []idField{id("/id"), id("/data/requestId"), id("/data/messageId")}},
	{Entry: Entry{Platform: "fc", Kind: "rocketmq", Description: "ApsaraMQ for RocketMQ trigger (EventBridge CloudEvent)",
		Source: fcGoSDK + "README_RocketMQ.md" + apache}, mapping: fcRocketMQ, ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "fc", Kind: "apache-rocketmq", Description: "Self-managed Apache RocketMQ trigger batch",
		Source: fcDocs + " (licence not stated)"}, mapping: fcApacheRocketMQ, ids: []idField{id("/*/msgId")}},
	{Entry: Entry{Platform: "fc", Kind: "kafka", Description: "ApsaraMQ for Kafka trigger batch (EventBridge CloudEvents)",
		Source: fcDocs + " (licence not stated)"}, mapping: fcKafka, ids: []idField{id("/*/id")}},
	{Entry: Entry{Platform: "fc", Kind: "rabbitmq", Description: "ApsaraMQ for RabbitMQ trigger batch (EventBridge CloudEvents)",
		Source: fcDocs + " (licence not stated)"}, mapping: fcRabbitMQ, ids: []idField{id("/*/id"), id("/*/data/props/messageId")}},
	{Entry: Entry{Platform: "fc", Kind: "mqtt", Description: "ApsaraMQ for MQTT trigger batch",
		Source: fcDocs + " (licence not stated)"}, mapping: fcMQTT},
	{Entry: Entry{Platform: "fc", Kind: "sls", Description: "Simple Log Service (SLS) trigger",
		Source: fc3 + "sls.json (MIT)"}, mapping: raw("log")},
	{Entry: Entry{Platform: "fc", Kind: "cdn", Description: "CDN trigger, CachedObjectsRefreshed",
		Source: fc3 + "cdn-CachedObjectsRefreshed.json (MIT)"}, mapping: raw("cdn")},
	{Entry: Entry{Platform: "fc", Kind: "tablestore", Description: "Tablestore stream trigger (the documented JSON rendering of its CBOR)",
		Source: fcDocs + " (licence not stated)"}, mapping: raw("tablestore")},

	// scf
	{Entry: Entry{Platform: "scf", Kind: "apigw", Description: "API Gateway trigger, integration request",
		Source: scfDocs + " (licence not stated)"}, mapping: scfAPIGateway, ids: []idField{id("/requestContext/requestId")}},
	{Entry: Entry{Platform: "scf", Kind: "timer", Description: "SCF timer trigger",
		Source: scfDocs + " (licence not stated)"}, mapping: scfTimer},
	{Entry: Entry{Platform: "scf", Kind: "cos", Description: "COS trigger, cos:ObjectCreated:*",
		Source: "tencentyun/scf-go-lib events/cos_test.go (Apache-2.0)"}, mapping: scfCOS, ids: []idField{id("/Records/*/cos/cosObject/meta/x-cos-request-id")}},
	{Entry: Entry{Platform: "scf", Kind: "cmq", Description: "CMQ topic trigger",
		Source: scfDocs + " (licence not stated)"}, mapping: scfCMQ, ids: []idField{id("/Records/*/CMQ/msgId"), id("/Records/*/CMQ/requestId")}},
	{Entry: Entry{Platform: "scf", Kind: "ckafka", Description: "CKafka trigger batch of two records",
		Source: scfDocs + " (licence not stated)"}, mapping: scfCKafka},
	{Entry: Entry{Platform: "scf", Kind: "cls", Description: "CLS (log service) trigger; its data is the documented decoded logs, gzipped and in base64",
		Source: scfDocs + " (licence not stated)"}, mapping: raw("log")},
	{Entry: Entry{Platform: "scf", Kind: "websocket", Description: "API Gateway WebSocket connection (registration function)",
		Source: scfDocs + ", WebSocket (licence not stated)"}, mapping: raw("websocket"), ids: []idField{id("/requestContext/requestId")}},
	{Entry: Entry{Platform: "scf", Kind: "mps", Description: "MPS (media processing) WorkflowTask event",
		Source: scfDocs + " (licence not stated)"}, mapping: raw("mps")},

	// gcf
	{Entry: Entry{Platform: "gcf", Kind: "storage", Description: "Cloud Storage object finalized, CloudEvent in structured mode",
		Source: ffConform + "storage-cloudevent-input.json" + apache, ContentType: structured}, mapping: gcsObject(ptr("data")), ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "gcf", Kind: "storage-legacy", Description: "Cloud Storage object finalize, legacy background event",
		Source: ffConform + "storage-legacy-input.json" + apache, ContentType: plainJSON}, mapping: gcsObject(ptr("data")), ids: []idField{id("/context/eventId")}},
	{Entry: Entry{Platform: "gcf", Kind: "pubsub", Description: "Pub/Sub message published, CloudEvent in structured mode",
		Source: ffConform + "pubsub_text-cloudevent-input.json" + apache, ContentType: structured},
		mapping: pubsub(ptr("data", "message"), ptr("source"), true), ids: []idField{id("/id", "/data/message/messageId")}},
	{Entry: Entry{Platform: "gcf", Kind: "pubsub-legacy", Description: "Pub/Sub publish, legacy background event",
		Source: ffConform + "pubsub_text-legacy-input.json" + apache, ContentType: plainJSON},
		mapping: pubsub(ptr("data"), ptr("context", "resource", "name"), false), ids: []idField{id("/context/eventId")}},
	{Entry: Entry{Platform: "gcf", Kind: "pubsub-push", Description: "Pub/Sub push subscription body",
		Source: gcEvents + "binary/pubsub/MessagePublishedData-complex.json" + apache, ContentType: plainJSON},
		mapping: pubsub(ptr("message"), nil, false), ids: []idField{uuid("/message/messageId")}},
	{Entry: Entry{Platform: "gcf", Kind: "scheduler", Description: "Cloud Scheduler job executed, CloudEvent in structured mode (published data, attributes of the type)",
		Source: gcEvents + "binary/scheduler/SchedulerJobData-simple.json" + apache, ContentType: structured}, mapping: gcfScheduler, ids: []idField{uuid("/id")}},
	{Entry: Entry{Platform: "gcf", Kind: "firestore", Description: "Firestore document written, CloudEvent",
		Source: ffConform + "firestore_simple-cloudevent-input.json" + apache, ContentType: structured}, mapping: raw("firestore"), ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "gcf", Kind: "firestore-legacy", Description: "Firestore document write, legacy background event",
		Source: ffConform + "firestore_simple-legacy-input.json" + apache, ContentType: plainJSON}, mapping: raw("firestore"), ids: []idField{id("/eventId")}},
	{Entry: Entry{Platform: "gcf", Kind: "firebase-auth", Description: "Firebase Authentication user created, CloudEvent",
		Source: ffConform + "firebase-auth-cloudevent-input.json" + apache, ContentType: structured}, mapping: raw("firebase"), ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "gcf", Kind: "auditlog", Description: "Cloud Audit Logs entry through Eventarc (BigQuery job completed), CloudEvent",
		Source: gcEvents + "structured/audit/LogEntryData-bigqueryjobcompleted.json" + apache, ContentType: structured}, mapping: raw("log")},

	// web
	{Entry: Entry{Platform: "web", Kind: "storage", Description: "Cloud Storage object finalized, CloudEvent from Eventarc to a Cloud Run service",
		Source: ffConform + "storage-cloudevent-input.json" + apache, ContentType: structured}, mapping: gcsObject(ptr("data")), ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "web", Kind: "pubsub", Description: "Pub/Sub message published, CloudEvent from Eventarc",
		Source: ffConform + "pubsub_text-cloudevent-input.json" + apache, ContentType: structured},
		mapping: pubsub(ptr("data", "message"), ptr("source"), true), ids: []idField{id("/id", "/data/message/messageId")}},
	{Entry: Entry{Platform: "web", Kind: "ping", Description: "Knative PingSource event, CloudEvent in structured mode",
		Source: "knative/docs docs/eventing/sources/ping-source/index.md (CC BY 4.0)", ContentType: structured}, mapping: knativePing, ids: []idField{id("/id")}},
	{Entry: Entry{Platform: "web", Kind: "cloudevent", Description: "CloudEvent of no known type, structured mode (the CloudEvents JSON format's example)",
		Source: "cloudevents/spec cloudevents/formats/json-format.md" + apache, ContentType: structured}, mapping: raw("cloudevent"), ids: []idField{id("/id")}},
})

// build completes the entries: their names, triggers and keys.
func build(samples []sample) []sample {
	for i := range samples {
		s := &samples[i]
		s.Name = s.Platform + "/" + s.Kind
		s.Trigger = s.mapping.trigger
		for _, k := range s.mapping.keys {
			s.Keys = append(s.Keys, keyPattern(k))
		}
	}
	return samples
}
