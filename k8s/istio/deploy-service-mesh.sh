#!/usr/bin/env bash
# Deploys, verifies, tests and removes the AI Nutritionist service mesh configuration.
#
#   deploy-service-mesh.sh deploy  [--dry-run] [--context NAME]
#   deploy-service-mesh.sh verify  [--context NAME]
#   deploy-service-mesh.sh test    [--context NAME]
#   deploy-service-mesh.sh urls    [--context NAME]
#   deploy-service-mesh.sh cleanup [--dry-run] [--yes] [--context NAME]
#
# Needs kubectl; uses istioctl when it is on the PATH. Every step is idempotent.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly NAMESPACE="ai-nutritionist"
readonly MESH_FILES=(
  namespace.yaml
  service-mesh-complete.yaml
  security-policies-enhanced.yaml
  traffic-management-advanced.yaml
  observability-complete.yaml
  observability-meshdeck.yaml
)
# Kinds whose CRDs come from add-ons a cluster may not have; skipped (with a warning) if absent.
readonly OPTIONAL_KINDS=(
  "PrometheusRule:prometheusrules.monitoring.coreos.com"
  "Jaeger:jaegers.jaegertracing.io"
)
readonly SERVICES=(nutrition-service ai-coach-service messaging-service payment-service health-tracking-service)

KUBECTL="${KUBECTL:-kubectl}"
DRY_RUN=false
ASSUME_YES=false
CONTEXT_ARGS=()

log() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

kube() { "$KUBECTL" "${CONTEXT_ARGS[@]}" "$@"; }

# Prints "Kind/name (namespace)" for every object in a manifest file, in file order.
list_objects() {
  awk '
    function flush() {
      if (kind != "" && name != "") printf "%s/%s%s\n", kind, name, (ns != "" ? " (namespace " ns ")" : "")
      kind = ""; name = ""; ns = ""; in_meta = 0
    }
    /^---/ { flush(); next }
    /^kind:/ { kind = $2 }
    /^metadata:/ { in_meta = 1; next }
    /^[^ #]/ { in_meta = 0 }
    in_meta && /^  name:/ && name == "" { name = $2 }
    in_meta && /^  namespace:/ && ns == "" { ns = $2 }
    END { flush() }
  ' "$1"
}

# Prints the YAML documents of a file, leaving out those whose kind is in the arguments.
documents_without() {
  local file="$1"; shift
  awk -v skip="$*" '
    BEGIN { n = split(skip, kinds, " "); for (i = 1; i <= n; i++) skipped[kinds[i]] = 1 }
    function flush() { if (doc != "" && !(kind in skipped)) printf "---\n%s", doc; doc = ""; kind = "" }
    /^---/ { flush(); next }
    /^kind:/ { kind = $2 }
    { doc = doc $0 "\n" }
    END { flush() }
  ' "$file"
}

require_cluster() {
  command -v "$KUBECTL" >/dev/null || die "kubectl not found (set KUBECTL to its path)"
  kube version >/dev/null 2>&1 || die "the cluster does not answer: check your kubeconfig and context ($KUBECTL ${CONTEXT_ARGS[*]} version)"
  kube get crd virtualservices.networking.istio.io >/dev/null 2>&1 ||
    die "Istio's CRDs are not installed: install Istio 1.20 or later first (istioctl install)"
}

missing_optional_kinds() {
  local entry
  for entry in "${OPTIONAL_KINDS[@]}"; do
    kube get crd "${entry#*:}" >/dev/null 2>&1 || printf '%s ' "${entry%%:*}"
  done
}

cmd_deploy() {
  if $DRY_RUN; then
    log "Dry run: these objects would be applied, in this order (nothing is sent to a cluster):"
    local file
    for file in "${MESH_FILES[@]}"; do
      log ""
      log "# $file"
      list_objects "$SCRIPT_DIR/$file"
    done
    return 0
  fi
  require_cluster
  local skip file
  skip="$(missing_optional_kinds)"
  [[ -z "$skip" ]] || warn "skipping ${skip}(their CRDs are not installed: Prometheus Operator, Jaeger Operator)"
  if kube get namespace istio-system >/dev/null 2>&1; then :; else
    warn "namespace istio-system is missing; the Jaeger resource and dashboards go there"
    kube create namespace istio-system
  fi
  kube get secret ai-nutritionist-tls -n istio-system >/dev/null 2>&1 ||
    warn "TLS secret ai-nutritionist-tls is missing in istio-system; HTTPS on the gateway fails until you create it:
  $KUBECTL create secret tls ai-nutritionist-tls -n istio-system --cert=fullchain.pem --key=privkey.pem"
  for file in "${MESH_FILES[@]}"; do
    log "Applying $file"
    # shellcheck disable=SC2086 # $skip is a list of kinds
    documents_without "$SCRIPT_DIR/$file" $skip | kube apply -f -
  done
  if command -v istioctl >/dev/null; then
    log "Analyzing the namespace with istioctl"
    istioctl "${CONTEXT_ARGS[@]}" analyze -n "$NAMESPACE" || warn "istioctl analyze reported problems (above)"
  fi
  log "Deployed. Next: $0 verify"
}

cmd_verify() {
  require_cluster
  local failed=0 service mode
  log "Istio resources in $NAMESPACE:"
  kube get gateways,virtualservices,destinationrules,peerauthentications,requestauthentications,authorizationpolicies,envoyfilters,telemetries -n "$NAMESPACE"
  mode="$(kube get peerauthentication default -n "$NAMESPACE" -o jsonpath='{.spec.mtls.mode}' 2>/dev/null || true)"
  if [[ "$mode" == "STRICT" ]]; then log "mTLS: STRICT"; else warn "mTLS mode is '${mode:-missing}', expected STRICT"; failed=1; fi
  for service in "${SERVICES[@]}"; do
    kube get service "$service" -n "$NAMESPACE" >/dev/null 2>&1 || { warn "service $service is missing"; failed=1; }
  done
  log "Waiting for the deployments to roll out (2 minutes at most each):"
  local deployment
  for deployment in $(kube get deployments -n "$NAMESPACE" -o name); do
    kube rollout status "$deployment" -n "$NAMESPACE" --timeout=120s || failed=1
  done
  if command -v istioctl >/dev/null; then
    istioctl "${CONTEXT_ARGS[@]}" proxy-status || failed=1
  fi
  ((failed == 0)) || die "verification found problems (above)"
  log "Verified."
}

cmd_test() {
  require_cluster
  local service failed=0
  log "Connectivity from inside the mesh (a throwaway curl pod per service):"
  for service in "${SERVICES[@]}"; do
    if kube run "test-connectivity-$service" -n "$NAMESPACE" --image=curlimages/curl:8.11.1 --rm -i --restart=Never --quiet -- \
      curl -fsS -o /dev/null -w "$service %{http_code}\n" "http://$service.$NAMESPACE.svc.cluster.local:8080/health"; then :; else
      warn "$service did not answer /health"
      failed=1
    fi
  done
  ((failed == 0)) || die "connectivity test failed for some services"
  log "All services answered."
}

cmd_urls() {
  require_cluster
  local address
  address="$(kube get service istio-ingressgateway -n istio-system -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)"
  log "API:        https://api.ai-nutritionist.com  (ingress gateway address: ${address:-pending or no LoadBalancer})"
  log "Grafana:    $KUBECTL port-forward -n istio-system svc/grafana 3000:3000      then http://localhost:3000"
  log "Jaeger:     $KUBECTL port-forward -n istio-system svc/jaeger-query 16686:16686 then http://localhost:16686"
  log "Kiali:      $KUBECTL port-forward -n istio-system svc/kiali 20001:20001      then http://localhost:20001"
  log "Prometheus: $KUBECTL port-forward -n istio-system svc/prometheus 9090:9090   then http://localhost:9090"
}

cmd_cleanup() {
  local index file
  if $DRY_RUN; then
    log "Dry run: these objects would be deleted (nothing is sent to a cluster):"
    for ((index = ${#MESH_FILES[@]} - 1; index >= 0; index--)); do
      list_objects "$SCRIPT_DIR/${MESH_FILES[index]}"
    done
    return 0
  fi
  require_cluster
  if ! $ASSUME_YES; then
    [[ -t 0 ]] || die "cleanup deletes the whole $NAMESPACE mesh configuration: pass --yes to confirm"
    read -r -p "Delete the AI Nutritionist mesh configuration and the $NAMESPACE namespace? [y/N] " answer
    [[ "$answer" == [yY] ]] || { log "Nothing deleted."; return 0; }
  fi
  for ((index = ${#MESH_FILES[@]} - 1; index >= 0; index--)); do
    file="${MESH_FILES[index]}"
    log "Deleting $file"
    kube delete -f "$SCRIPT_DIR/$file" --ignore-not-found
  done
  log "Cleaned up."
}

main() {
  local command="${1:-}"
  [[ -n "$command" ]] || { usage; exit 2; }
  shift
  while (($#)); do
    case "$1" in
      --dry-run) DRY_RUN=true ;;
      --yes | -y) ASSUME_YES=true ;;
      --context) [[ $# -ge 2 ]] || die "--context needs a name"; CONTEXT_ARGS=(--context "$2"); shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option: $1 (see $0 --help)" ;;
    esac
    shift
  done
  case "$command" in
    deploy) cmd_deploy ;;
    verify) cmd_verify ;;
    test) cmd_test ;;
    urls) cmd_urls ;;
    cleanup) cmd_cleanup ;;
    -h | --help | help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
