# Sourced by the hooks: a look-up through Azure Resource Manager (control plane), so it works with the storage and Key
# Vault firewalls closed and needs no data-plane role.

# arm_exists ID API_VERSION: exit 0 when the resource exists, 1 when ARM answers Not Found (the resource, its parent or
# its resource group), and stops the hook on any other failure (signed out, no permission, network): a look-up that
# failed must never be read as "absent", or a hook would replace what exists.
arm_exists() {
  if arm_error=$(az rest --method get --url "$1?api-version=$2" --output none 2>&1); then
    return 0
  fi
  case "$arm_error" in
    *NotFound*|*"Not Found"*) return 1 ;;
  esac
  echo "Could not look up $1: $arm_error" >&2
  exit 1
}

# azd_value NAME: the azd environment's value, empty when unset.
azd_value() {
  azd env get-value "$1" 2>/dev/null || true
}
