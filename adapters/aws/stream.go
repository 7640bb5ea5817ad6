package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// streamContentType tells Lambda that a function URL response is a prelude
// and a streamed body.
const streamContentType = "application/vnd.awslambda.http-integration-response"

// Stream handles one invocation in streaming mode, for lambda.Start: an
// HTTP response to a function URL is sent in the streaming format, its body
// read from the handler's io.Reader as Lambda sends it; anything else is
// sent buffered, as Invoke sends it, with the content type
// application/json.
//
// aws-lambda-go decodes the payload into a json.RawMessage before Stream
// runs, so a payload that is not JSON fails there, with aws-lambda-go's
// error report rather than a *faas.DecodeError.
func (h *Handler) Stream(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
	out, err := h.invoke(ctx, payload, true)
	if err != nil {
		return nil, report(err)
	}
	if out.stream != nil {
		return out.stream, nil
	}
	return &jsonResult{bytes.NewReader(out.bytes)}, nil
}

// jsonResult is a result sent whole in streaming mode. It has no exported
// fields: aws-lambda-go streams a result only if it encodes as {}.
type jsonResult struct{ r *bytes.Reader }

func (j *jsonResult) Read(p []byte) (int, error) { return j.r.Read(p) }

// ContentType is what aws-lambda-go sends as the response's content type.
func (j *jsonResult) ContentType() string { return "application/json" }

// httpStream is a function URL's streamed response: a JSON prelude with the
// status, headers and cookies, eight NUL bytes, then the body. It has no
// exported fields: aws-lambda-go streams a result only if it encodes as {}.
type httpStream struct {
	r    io.Reader
	body io.Reader
}

func (s *httpStream) Read(p []byte) (int, error) { return s.r.Read(p) }

func newHTTPStream(resp *faas.HTTPResponse, body io.Reader) *httpStream {
	prelude := make([]byte, 0, 128)
	prelude = append(prelude, `{"statusCode":`...)
	prelude = strconv.AppendInt(prelude, int64(resp.StatusCode), 10)
	if h := envelope.JoinHeader(resp.Header); len(h) > 0 {
		prelude = append(prelude, `,"headers":`...)
		prelude = appendSingleHeader(prelude, h)
	}
	if cookies := resp.Header.Values("Set-Cookie"); len(cookies) > 0 {
		prelude = append(prelude, `,"cookies":[`...)
		for i, c := range cookies {
			if i > 0 {
				prelude = append(prelude, ',')
			}
			prelude = jsonwire.AppendString(prelude, c)
		}
		prelude = append(prelude, ']')
	}
	prelude = append(prelude, '}', 0, 0, 0, 0, 0, 0, 0, 0)
	if body == nil {
		body = bytes.NewReader(resp.Body)
	}
	return &httpStream{r: io.MultiReader(bytes.NewReader(prelude), body), body: body}
}

// ContentType is what aws-lambda-go sends as the response's content type.
func (s *httpStream) ContentType() string { return streamContentType }

// Close closes the handler's body if it is an io.Closer; aws-lambda-go
// calls it once the response is sent.
func (s *httpStream) Close() error {
	if c, ok := s.body.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
