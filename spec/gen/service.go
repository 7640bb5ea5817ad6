package gen

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// MergeService merges src, one of f.yml's platforms blocks, into doc, a
// Knative Service document (Knative's or Cloud Run's), as Merge does,
// except spec.template.spec.containers: a list given there merges into
// the generated containers by index (the first given into the function's
// own container, a mapping key by key, recursively), so that envFrom,
// volumeMounts or a securityContext add to the container rather than
// replace it, image, probes, limits and environment with it; its env
// merges by name, as kubectl's strategic merge does (a variable of a name
// the container sets replaces it in place, the others are added); the
// containers beyond the generated ones are added. src is copied, never
// shared.
func MergeService(doc, src *yaml.Node) {
	given := Get(Get(Get(Get(src, "spec"), "template"), "spec"), "containers")
	if given == nil || given.Kind != yaml.SequenceNode {
		Merge(doc, src)
		return
	}
	// The rest of src, without the containers: a copy of the mappings on
	// the way to them.
	Merge(doc, without(src, "spec", "template", "spec", "containers"))
	podSpec := Get(Get(Get(doc, "spec"), "template"), "spec")
	if podSpec == nil || podSpec.Kind != yaml.MappingNode {
		return
	}
	have := Get(podSpec, "containers")
	if have == nil || have.Kind != yaml.SequenceNode {
		have = &yaml.Node{Kind: yaml.SequenceNode}
		Set(podSpec, "containers", have)
	}
	for i, c := range given.Content {
		if i < len(have.Content) && have.Content[i].Kind == yaml.MappingNode && c.Kind == yaml.MappingNode {
			Merge(have.Content[i], without(c, "env"))
			mergeEnv(have.Content[i], Get(c, "env"))
			continue
		}
		added := &yaml.Node{Kind: yaml.MappingNode}
		Merge(added, c)
		if i < len(have.Content) {
			have.Content[i] = added
		} else {
			have.Content = append(have.Content, added)
		}
	}
}

// mergeEnv merges env, a container's env list given in a platforms
// block, into container's by name, as kubectl's strategic merge does: a
// variable of a name the container sets replaces it in place (a
// valueFrom.secretKeyRef for a value f.yml gives), the others are added;
// the generated environment stays. An env that is not a list replaces
// the container's.
func mergeEnv(container, env *yaml.Node) {
	if env == nil {
		return
	}
	have := Get(container, "env")
	if have == nil || have.Kind != yaml.SequenceNode || env.Kind != yaml.SequenceNode {
		Merge(container, Map("env", env)) // a copy, as Merge makes
		return
	}
	for _, v := range env.Content {
		c := clone(v)
		name := Get(v, "name")
		i := slices.IndexFunc(have.Content, func(h *yaml.Node) bool {
			n := Get(h, "name")
			return name != nil && n != nil && n.Value == name.Value
		})
		if i >= 0 {
			have.Content[i] = c
		} else {
			have.Content = append(have.Content, c)
		}
	}
}

// without returns mapping n without the key at path, copying the mappings
// along path and sharing the rest (Merge copies what it merges).
func without(n *yaml.Node, path ...string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	c := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Value != path[0]:
			c.Content = append(c.Content, k, v)
		case len(path) > 1:
			c.Content = append(c.Content, k, without(v, path[1:]...))
		}
	}
	return c
}
