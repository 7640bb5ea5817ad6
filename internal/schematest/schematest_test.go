package schematest

import (
	"strings"
	"testing"
)

func TestSAM(t *testing.T) {
	s := Schema(t, "../../../shared/schemas/aws-sam/sam.schema.json", "")
	good := `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: fn.zip
      MemorySize: 128
`
	if err := Check(s, []byte(good)); err != nil {
		t.Errorf("a good template fails: %v", err)
	}
	bad := strings.Replace(good, "MemorySize: 128", "MemorySise: 128", 1) // SAM passes MemorySize through unchecked; it checks names
	if err := Check(s, []byte(bad)); err == nil {
		t.Error("a bad template passes")
	}
}

func TestKnativeCRD(t *testing.T) {
	s := Schema(t, "../../../shared/schemas/knative/service.yaml", "/spec/versions/0/schema/openAPIV3Schema")
	good := "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers:\n        - image: example.com/x\n"
	if err := Check(s, []byte(good)); err != nil {
		t.Errorf("a good service fails: %v", err)
	}
	if err := Check(s, []byte(strings.Replace(good, "containers:", "containers: 5\n      x:", 1))); err == nil {
		t.Error("a bad service passes")
	}
}
