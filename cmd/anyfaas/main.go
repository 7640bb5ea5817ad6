// Command anyfaas builds, checks, runs and deploys anyfaas services: one
// f.yml to every platform's own deploy spec and artifact, and a local loop
// that runs the deployable binary under each platform's emulator.
//
//	anyfaas init     [dir]                 write a new project that tests and serves at once
//	anyfaas dev      [dir]                 serve every HTTP function on 127.0.0.1:3000, rebuilt on save
//	anyfaas invoke   [dir] -f NAME         run one function once under its platform's emulator
//	anyfaas event    list | show NAME      the catalog of real sample events
//	anyfaas validate [dir]                 check f.yml (and, with --code, the code it names)
//	anyfaas describe [dir]                 the merged view: f.yml and the triggers the code declares (exit 1 if package would refuse it)
//	anyfaas package  [dir] --platform aws  build the artifacts and write the deploy specs
//	anyfaas deploy   [dir] --platform aws  package, then run the platform's own tool
//
// Exit codes:
//
//	0  success
//	1  an input is invalid: the spec, the code it names, an event file
//	2  the command line is wrong
//	3  the code does not build
//	4  a deploy tool is missing or failed
//	5  anything else: I/O, an interrupted command, a port in use
//	6  the function invoked failed
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
