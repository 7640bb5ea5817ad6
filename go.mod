module github.com/anyfaas/faas

go 1.25

require (
	github.com/google/go-cmp v0.7.0
	go.uber.org/dig v1.19.0
)
