module github.com/anyfaas/faas

go 1.25

require (
	github.com/google/go-cmp v0.7.0
	go.uber.org/dig v1.19.0
)

require github.com/go-chi/chi/v5 v5.5.0 // indirect
