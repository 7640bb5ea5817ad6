// Command broken does not compile, on purpose: the tests of Build build it
// to see the compiler's message come back in a *BuildError.
package main

func main() {
	notDefinedAnywhere()
}
