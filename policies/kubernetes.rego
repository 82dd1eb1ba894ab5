# Kubernetes manifests found in the repository, checked admission-style:
# images from unapproved registries, and GPU requests by workloads not
# labelled as ML workloads (GPUs are costly and are where models run).
package mlbom.kubernetes

import data.mlbom.lib

conf := lib.cfg.kubernetes

manifests := lib.list(object.get(input, "kubernetes", []))

template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

pod_spec(m) := m.spec if {
	m.kind == "Pod"
} else := m.spec.jobTemplate.spec.template.spec if {
	m.kind == "CronJob"
} else := m.spec.template.spec if {
	m.kind in template_kinds
}

pod_labels(m) := object.union(
	object.get(m, ["metadata", "labels"], {}),
	object.union(
		object.get(m, ["spec", "template", "metadata", "labels"], {}),
		object.get(m, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], {}),
	),
)

containers(m) := array.concat(
	array.concat(lib.list(object.get(pod_spec(m), "containers", [])), lib.list(object.get(pod_spec(m), "initContainers", []))),
	lib.list(object.get(pod_spec(m), "ephemeralContainers", [])),
)

# workloads are the manifests that make pods, with their containers, worked
# out once per evaluation (every rule below reads them).
workloads := [{"m": m, "cs": containers(m)} | some m in manifests; pod_spec(m)]

ref(m) := sprintf("k8s:%s/%s/%s", [m.kind, object.get(m, ["metadata", "namespace"], "default"), object.get(m, ["metadata", "name"], "")])

# normalized image reference with its registry: nginx -> docker.io/library/nginx.
normalized(image) := image if {
	first := split(image, "/")[0]
	count(split(image, "/")) > 1
	registry_like(first)
} else := concat("", ["docker.io/library/", image]) if {
	not contains(image, "/")
} else := concat("", ["docker.io/", image])

registry_like(s) if contains(s, ".")

registry_like(s) if contains(s, ":")

registry_like("localhost")

approved(image) if {
	n := lower(normalized(image))
	some a in conf.allowed_registries
	prefix := lower(trim_suffix(a, "/"))
	startswith(n, concat("", [prefix, "/"]))
}

deny contains f if {
	some w in workloads
	m := w.m
	bad := {c.image | some c in w.cs; not approved(c.image)}
	count(bad) > 0
	f := lib.finding(
		"kubernetes.unapproved-registry", "high", ref(m),
		sprintf("%s %s runs image(s) from unapproved registries: %s", [m.kind, m.metadata.name, concat(", ", sort(bad))]),
		"Push the image to an approved registry (mlbom.config.kubernetes.allowed_registries) and reference it by digest.",
	)
}

gpu_request(cs) if {
	some c in cs
	some section in ["limits", "requests"]
	some res, _ in object.get(c, ["resources", section], {})
	lib.matches(conf.gpu_resources, res)
}

ml_labelled(m) if {
	labels := pod_labels(m)
	some want in conf.ml_workload_labels
	kv := split(want, "=")
	count(kv) == 1
	labels[kv[0]]
}

ml_labelled(m) if {
	labels := pod_labels(m)
	some want in conf.ml_workload_labels
	kv := split(want, "=")
	count(kv) == 2
	labels[kv[0]] == kv[1]
}

deny contains f if {
	some w in workloads
	m := w.m
	gpu_request(w.cs)
	not ml_labelled(m)
	f := lib.finding(
		"kubernetes.gpu-without-ml-label", "medium", ref(m),
		sprintf("%s %s requests GPUs but carries none of the ML-workload labels %s", [m.kind, m.metadata.name, concat(", ", conf.ml_workload_labels)]),
		"Label the pod template as an ML workload (e.g. mlbom.dev/ml-workload: \"true\") so it is inventoried, or drop the GPU request.",
	)
}

# Environment variables whose value is a URL: where the containers call out.
env_urls(cs) := {[e.name, url] |
	some c in cs
	some e in lib.list(object.get(c, "env", []))
	url := object.get(e, "value", "")
	is_string(url)
	contains(url, "://")
}

# ai_provider(host) is the hosted-AI provider serving host (sources config).
ai_provider(h) := p if {
	some p, hosts in lib.cfg.sources.providers
	lib.host_allowed(h, hosts)
}

deny contains f if {
	some w in workloads
	m := w.m
	bad := {sprintf("%s (%s=%s)", [p, name, h]) |
		some [name, url] in env_urls(w.cs)
		h := lib.host(url)
		p := ai_provider(h)
		not p in lib.cfg.sources.allowed_providers
	}
	count(bad) > 0
	f := lib.finding(
		"kubernetes.unapproved-ai-endpoint", "high", ref(m),
		sprintf("%s %s calls hosted AI providers that are not approved: %s", [m.kind, m.metadata.name, concat(", ", sort(bad))]),
		"Use an approved provider (mlbom.config.sources.allowed_providers), or approve this one after review.",
	)
}

# Volumes mounted where models live, by name or mount path.
model_mounts(cs) := {v.name |
	some c in cs
	some v in lib.list(object.get(c, "volumeMounts", []))
	regex.match(`(?i)(^|[^a-z])(models?|weights|checkpoints?)([^a-z]|$)`, concat(" ", [object.get(v, "name", ""), object.get(v, "mountPath", "")]))
}

model_annotation(m) := a if {
	some p in [["metadata", "annotations"], ["spec", "template", "metadata", "annotations"], ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"]]
	a := object.get(m, array.concat(p, ["mlbom.dev/model"]), "")
	a != ""
}

warn contains f if {
	some w in workloads
	m := w.m
	vols := model_mounts(w.cs)
	count(vols) > 0
	not model_annotation(m)
	f := lib.finding(
		"kubernetes.model-volume-without-bom", "medium", ref(m),
		sprintf("%s %s mounts model volume(s) %s but names no model whose signed BOM covers them", [m.kind, m.metadata.name, concat(", ", sort(vols))]),
		"Annotate the pod template with mlbom.dev/model: PROJECT[@VERSION] of the signed BOM that lists these weights, so admission verifies them before they run.",
	)
}
