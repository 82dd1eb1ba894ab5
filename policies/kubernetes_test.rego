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
