//go:build !unix

package aws_test

import "errors"

// makeFIFO fails: a FIFO in the file system is a Unix thing.
func makeFIFO(string) error { return errors.ErrUnsupported }
