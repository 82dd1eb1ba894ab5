package mlbom.kubernetes_test

import data.mlbom.kubernetes

deployment(image, labels, resources) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": "inference", "namespace": "ml"},
	"spec": {"template": {
		"metadata": {"labels": labels},
		"spec": {"containers": [{"name": "server", "image": image, "resources": resources}]},
	}},
}

gpu := {"limits": {"nvidia.com/gpu": 1}}

test_approved_image_passes if {
	doc := {"kubernetes": [deployment("ghcr.io/acme/vllm:0.6.0", {"mlbom.dev/ml-workload": "true"}, gpu)]}
	count(kubernetes.deny) == 0 with input as doc
}

test_unapproved_registry_denies if {
	doc := {"kubernetes": [deployment("registry.evil.example/vllm:latest", {}, {})]}
	some f in kubernetes.deny with input as doc
	f.policy == "kubernetes.unapproved-registry"
	f.component == "k8s:Deployment/ml/inference"
	contains(f.message, "registry.evil.example/vllm:latest")
}

test_docker_hub_user_images_are_not_library if {
	lib_doc := {"kubernetes": [deployment("python:3.12", {}, {})]}
	count(kubernetes.deny) == 0 with input as lib_doc
	user_doc := {"kubernetes": [deployment("someuser/python:3.12", {}, {})]}
	{f.policy | some f in kubernetes.deny} == {"kubernetes.unapproved-registry"} with input as user_doc
}

test_registry_prefix_is_not_a_string_prefix if {
	# ghcr.io.evil.example must not pass as ghcr.io
	count(kubernetes.deny) == 1 with input as {"kubernetes": [deployment("ghcr.io.evil.example/x:1", {}, {})]}
}

test_gpu_without_label_denies if {
	doc := {"kubernetes": [deployment("nvcr.io/nvidia/pytorch:24.05-py3", {"app": "x"}, gpu)]}
	{f.policy | some f in kubernetes.deny} == {"kubernetes.gpu-without-ml-label"} with input as doc
}

test_gpu_with_key_value_label_passes if {
	doc := {"kubernetes": [deployment("nvcr.io/nvidia/pytorch:24.05-py3", {"app.kubernetes.io/component": "training"}, {"requests": {"nvidia.com/gpu": "2"}})]}
	count(kubernetes.deny) == 0 with input as doc
}

test_cronjob_and_pod if {
	cron := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "retrain"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "t", "image": "evil.example/t:1", "resources": gpu}]}}}}}}
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"ml-workload": "yes"}}, "spec": {"initContainers": [{"name": "i", "image": "quay.io/x/y:1", "resources": gpu}], "containers": [{"name": "c", "image": "quay.io/x/z:1"}]}}
	fs := {[f.policy, f.component] | some f in kubernetes.deny} with input as {"kubernetes": [cron, pod]}
	fs == {["kubernetes.unapproved-registry", "k8s:CronJob/default/retrain"], ["kubernetes.gpu-without-ml-label", "k8s:CronJob/default/retrain"]}
}

test_non_workloads_are_ignored if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
	count(kubernetes.deny) == 0 with input as {"kubernetes": [svc]}
	count(kubernetes.deny) == 0 with input as {"bom": {}}
}

pod_with(container, annotations) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": annotations}, "spec": {"containers": [container]}}

test_unapproved_ai_endpoint_denies if {
	c := {"name": "app", "image": "ghcr.io/acme/app:1", "env": [
		{"name": "LLM_URL", "value": "https://api.groq.com/openai/v1"},
		{"name": "OPENAI_BASE_URL", "value": "https://api.openai.com/v1"},
		{"name": "PLAIN", "value": "not a url"},
		{"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
	]}
	fs := {[f.policy, f.message] | some f in kubernetes.deny} with input as {"kubernetes": [pod_with(c, {})]}
	fs == {["kubernetes.unapproved-ai-endpoint", "Pod p calls hosted AI providers that are not approved: groq (LLM_URL=api.groq.com)"]}
}

test_approved_ai_endpoint_passes if {
	c := {"name": "app", "image": "ghcr.io/acme/app:1", "env": [{"name": "OPENAI_BASE_URL", "value": "https://api.openai.com/v1"}, {"name": "DB", "value": "postgres://db:5432/x"}]}
	count(kubernetes.deny) == 0 with input as {"kubernetes": [pod_with(c, {})]}
}

test_model_volume_without_bom_warns if {
	c := {"name": "serve", "image": "ghcr.io/acme/serve:1", "volumeMounts": [{"name": "weights", "mountPath": "/srv"}, {"name": "cache", "mountPath": "/tmp"}]}
	fs := {[f.policy, f.component] | some f in kubernetes.warn} with input as {"kubernetes": [pod_with(c, {})]}
	fs == {["kubernetes.model-volume-without-bom", "k8s:Pod/default/p"]}
	count(kubernetes.deny) == 0 with input as {"kubernetes": [pod_with(c, {})]}
}

test_model_volume_with_bom_annotation_passes if {
	c := {"name": "serve", "image": "ghcr.io/acme/serve:1", "volumeMounts": [{"name": "m", "mountPath": "/models/bert"}]}
	count(kubernetes.warn) == 0 with input as {"kubernetes": [pod_with(c, {"mlbom.dev/model": "demo@3"})]}
	count(kubernetes.warn) == 1 with input as {"kubernetes": [pod_with(c, {})]}
}

test_data_volume_is_not_a_model_volume if {
	c := {"name": "api", "image": "ghcr.io/acme/api:1", "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "remodel-cache", "mountPath": "/var/remodeler"}]}
	count(kubernetes.warn) == 0 with input as {"kubernetes": [pod_with(c, {})]}
}
