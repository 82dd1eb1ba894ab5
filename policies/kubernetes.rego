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
	some m in manifests
	pod_spec(m)
	bad := {c.image | some c in containers(m); not approved(c.image)}
	count(bad) > 0
	f := lib.finding(
		"kubernetes.unapproved-registry", "high", ref(m),
		sprintf("%s %s runs image(s) from unapproved registries: %s", [m.kind, m.metadata.name, concat(", ", sort(bad))]),
		"Push the image to an approved registry (mlbom.config.kubernetes.allowed_registries) and reference it by digest.",
	)
}

gpu_request(m) if {
	some c in containers(m)
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
	some m in manifests
	pod_spec(m)
	gpu_request(m)
	not ml_labelled(m)
	f := lib.finding(
		"kubernetes.gpu-without-ml-label", "medium", ref(m),
		sprintf("%s %s requests GPUs but carries none of the ML-workload labels %s", [m.kind, m.metadata.name, concat(", ", conf.ml_workload_labels)]),
		"Label the pod template as an ML workload (e.g. mlbom.dev/ml-workload: \"true\") so it is inventoried, or drop the GPU request.",
	)
}
