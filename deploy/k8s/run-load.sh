#!/usr/bin/env bash
# run-load: a distributed `ferrox load` run on a Kubernetes cluster.
#   deploy/k8s/run-load.sh TARGET_URL [WORKERS] [LEAD_SECONDS]
# Sets the target and a start time LEAD_SECONDS (default 60) from now in the
# ferrox-load ConfigMap, runs the Indexed Job of WORKERS (default 4) load
# workers, waits for it, runs the merge Job, prints the merged text report
# and copies merged.json and merged.html to ./out/k8s-load/ through a
# short-lived busybox pod on the results claim (the ferrox image has no tar).
# The lead must cover pulling the image and scheduling every worker: a
# worker that starts after the time refuses to run out of step.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: run-load.sh TARGET_URL [WORKERS] [LEAD_SECONDS]}
n=${2:-4}
lead=${3:-60}
start=$(date -u -d "+$lead seconds" +%Y-%m-%dT%H:%M:%SZ)

kubectl delete job ferrox-load ferrox-load-merge --ignore-not-found
kubectl apply -f load-job.yaml --dry-run=client -o yaml >/dev/null # validate first
kubectl create configmap ferrox-load --from-literal=target="$target" --from-literal=start_at="$start" \
	--dry-run=client -o yaml | kubectl apply -f -
# Apply everything but the ConfigMap just set, with N workers.
sed -e "s/^  completions: .*/  completions: $n/" -e "s/^  parallelism: .*/  parallelism: $n/" load-job.yaml |
	awk 'BEGIN{RS="\n---\n"; ORS="\n---\n"} !/kind: ConfigMap/' | kubectl apply -f -
echo "run-load: $n workers against $target, start at $start"
kubectl wait --for=condition=complete job/ferrox-load --timeout=900s
kubectl apply -f load-merge.yaml
kubectl wait --for=condition=complete job/ferrox-load-merge --timeout=300s
kubectl logs job/ferrox-load-merge -c text
mkdir -p ../../out/k8s-load
kubectl run ferrox-load-fetch --image=busybox:1.36 --restart=Never --overrides='{"spec":{"volumes":[{"name":"r","persistentVolumeClaim":{"claimName":"ferrox-load-results"}}],"containers":[{"name":"f","image":"busybox:1.36","command":["sleep","300"],"volumeMounts":[{"name":"r","mountPath":"/results"}]}]}}'
kubectl wait --for=condition=ready pod/ferrox-load-fetch --timeout=120s
for f in merged.json merged.html; do kubectl cp "ferrox-load-fetch:/results/$f" "../../out/k8s-load/$f"; done
kubectl delete pod ferrox-load-fetch --wait=false
echo "run-load: wrote out/k8s-load/merged.json and merged.html"
