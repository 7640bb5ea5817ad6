package gen

import (
	"slices"

	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
)

// HTTPMethods returns the methods a gateway routes to function f of unit
// u for its HTTP event e: e's methods, or nil for every method, and
// OPTIONS after them when u's App answers CORS preflights for f
// (spec.Spec.AnswersPreflights), for a browser's preflight to reach the
// layer that answers it; added reports that. OPTIONS is not added to an event that
// routes it already (OPTIONS, or every method), nor, on a platform whose
// gateway has CORS handling of its own (gatewayCORS: API Gateway on AWS
// and SCF), to one that turns it on (cors: true), which answers
// preflights at the gateway. Where the gateway has none (FC), cors: true
// changes nothing and the App answers.
func HTTPMethods(s *spec.Spec, u *spec.Unit, f *spec.Function, e *spec.Event, gatewayCORS bool) (methods []string, added bool) {
	methods = e.HTTP.Methods
	if len(methods) == 0 || slices.Contains(methods, route.Any) || slices.Contains(methods, "OPTIONS") ||
		gatewayCORS && e.HTTP.CORS || !s.AnswersPreflights(u, f) {
		return methods, false
	}
	return append(slices.Clip(methods), "OPTIONS"), true
}
