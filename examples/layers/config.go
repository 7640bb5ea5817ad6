package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/anyfaas/faas"
)

// Config is what the config layer loads before any function starts.
type Config struct {
	// Greeting is the word hello answers with.
	Greeting string `json:"greeting"`
	// Languages maps a language to its greeting.
	Languages map[string]string `json:"languages"`
}

// ConfigFrom returns the configuration the config layer gives an
// invocation, or nil if the function does not use the layer.
func ConfigFrom(ctx context.Context) *Config {
	c, _ := ctx.Value(configKey{}).(*Config)
	return c
}

type configKey struct{}

// ConfigLayer is a layer written once for every platform: it loads the
// configuration when the instance starts (RuntimeStart), checks it before
// the functions start (FunctionStart), hands it to each invocation
// (Middleware), keeps an audit record of each invocation (AfterInvoke),
// and writes the records out when the platform freezes the instance or
// shuts it down (Freeze, Close) rather than on every invocation.
//
// f.yml selects it per function: functions.<name>.layers: [config].
type ConfigLayer struct {
	// File is the configuration file: CONFIG_FILE, else config.json in
	// the working directory or beside the executable (anyfaas package
	// puts it there from package.include).
	File string
	// Audit receives the audit records when they are flushed.
	Audit io.Writer

	config *Config // set by load, read-only after

	mu      sync.Mutex
	pending []string
}

// Layer returns the layer, named "config".
func (l *ConfigLayer) Layer() faas.Layer {
	return faas.Layer{
		Name:          "config",
		RuntimeStart:  l.load,
		FunctionStart: l.check,
		Middleware:    l.provide,
		AfterInvoke:   l.record,
		Freeze:        l.flush,
		Close:         l.flush,
	}
}

func (l *ConfigLayer) load(context.Context) error {
	path := l.file()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	l.config = &c
	return nil
}

// file finds the configuration file.
func (l *ConfigLayer) file() string {
	switch {
	case l.File != "":
		return l.File
	case os.Getenv("CONFIG_FILE") != "":
		return os.Getenv("CONFIG_FILE")
	}
	if _, err := os.Stat("config.json"); err == nil {
		return "config.json"
	}
	if exe, err := os.Executable(); err == nil {
		return filepath.Join(filepath.Dir(exe), "config.json")
	}
	return "config.json"
}

func (l *ConfigLayer) check(context.Context) error {
	if strings.TrimSpace(l.config.Greeting) == "" {
		return errors.New("config: the greeting is empty")
	}
	return nil
}

func (l *ConfigLayer) provide(next faas.Handler) faas.Handler {
	return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
		return next.Invoke(ctx.WithContext(context.WithValue(ctx, configKey{}, l.config)), event)
	})
}

func (l *ConfigLayer) record(ctx *faas.Context, _ any, err error) {
	outcome := "ok"
	if err != nil {
		outcome = err.Error()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, fmt.Sprintf("%s %s %s: %s", ctx.Platform(), ctx.RequestID(), ctx.FunctionName(), outcome))
}

// flush writes the pending audit records out.
func (l *ConfigLayer) flush(context.Context) error {
	l.mu.Lock()
	pending := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(pending) == 0 || l.Audit == nil {
		return nil
	}
	_, err := fmt.Fprintf(l.Audit, "audit: %s\n", strings.Join(pending, "\naudit: "))
	return err
}
