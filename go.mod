module github.com/anyfaas/faas

go 1.26

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/go-chi/chi/v5 v5.5.0
	github.com/google/go-cmp v0.7.0
	go.uber.org/dig v1.19.0
)

require go.yaml.in/yaml/v3 v3.0.6
