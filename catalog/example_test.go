package catalog_test

import (
	"encoding/json"
	"fmt"

	"github.com/anyfaas/faas/catalog"
)

func ExampleEvent() {
	b, err := catalog.Event("aws/sqs", map[string]string{
		"body":                 `{"order":42}`,
		"queue":                "orders",
		"attributes.priority":  "high",
		"/Records/0/awsRegion": "eu-west-1", // a JSON pointer sets any field
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var event struct {
		Records []struct {
			Body              string `json:"body"`
			EventSourceARN    string `json:"eventSourceARN"`
			AWSRegion         string `json:"awsRegion"`
			MessageAttributes map[string]struct {
				StringValue string `json:"stringValue"`
			} `json:"messageAttributes"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(b, &event); err != nil {
		fmt.Println(err)
		return
	}
	r := event.Records[0]
	fmt.Println(r.Body)
	fmt.Println(r.EventSourceARN)
	fmt.Println(r.AWSRegion, r.MessageAttributes["priority"].StringValue)
	// Output:
	// {"order":42}
	// arn:aws:sqs:us-west-2:123456789012:orders
	// eu-west-1 high
}

func ExampleEvent_errors() {
	_, err := catalog.Event("aws/apigw-v2", map[string]string{"url": "/orders"})
	fmt.Println(err)
	_, err = catalog.Event("aws/apigw-v2", map[string]string{"path": "orders"})
	fmt.Println(err)
	// Output:
	// catalog: aws/apigw-v2: unknown override key "url": aws/apigw-v2 takes method, path, query, header.<name>, body, cookie, or JSON pointers (keys starting with /)
	// catalog: aws/apigw-v2: invalid override: path="orders": a path starts with /
}

func ExampleFind() {
	entries, err := catalog.Find("aws", "http")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		fmt.Printf("%-17s %s\n", e.Name, e.Description)
	}
	// Output:
	// aws/apigw-v2      API Gateway HTTP API request, payload format 2.0
	// aws/apigw-v1      API Gateway REST API request, Lambda proxy integration (payload format 1.0)
	// aws/function-url  Lambda function URL request (payload format 2.0)
	// aws/alb           Application Load Balancer request to a Lambda target (single-value headers)
}

func ExampleLookup() {
	e, err := catalog.Lookup("web/ping")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Trigger, e.ContentType, e.Keys)
	_, err = catalog.Lookup("aws/sq")
	fmt.Println(err)
	// Output:
	// timer application/cloudevents+json [name time payload]
	// catalog: "aws/sq": not in the catalog; did you mean aws/sqs?
}
