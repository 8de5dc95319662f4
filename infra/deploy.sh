#!/usr/bin/env bash
# Deploys AssistDesk to Azure and builds its Teams app package, in order:
#   1. the resource group and an Azure Container Registry (created if missing);
#   2. the image, built from ./Dockerfile in the registry (az acr build: no local Docker engine needed);
#   3. infra/main.bicep with infra/main.parameters.json (the bot, storage, monitoring, the Azure Bot, and
#      unless CREATE_APP_REGISTRATION=false the Graph app registration with admin consent);
#   4. the Teams app package for the deployed bot (npm run package), to upload as docs/ADMIN.md says.
#
#   RESOURCE_GROUP=rg-assistdesk LOCATION=westeurope REGISTRY_NAME=assistdeskacr \
#   TECHNICIAN_GROUP_ID=<group object id> infra/deploy.sh
#
# Needs the Azure CLI signed in (az login) with the rights docs/ADMIN.md lists, and Node.js with npm ci done.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group to deploy to}"
: "${LOCATION:?set LOCATION to an Azure region, e.g. westeurope}"
: "${REGISTRY_NAME:?set REGISTRY_NAME to an Azure Container Registry name (5-50 letters and digits)}"
: "${TECHNICIAN_GROUP_ID:?set TECHNICIAN_GROUP_ID to the object id of the Entra group of technicians}"
CREATE_APP_REGISTRATION="${CREATE_APP_REGISTRATION:-true}"
GRAPH_APP_CLIENT_ID="${GRAPH_APP_CLIENT_ID:-}"
IMAGE_TAG="${IMAGE_TAG:-$(git rev-parse --short HEAD)}"
DEPLOYMENT_NAME="assistdesk-${IMAGE_TAG}"

echo "1/4 Resource group ${RESOURCE_GROUP} and registry ${REGISTRY_NAME}"
az group create --name "$RESOURCE_GROUP" --location "$LOCATION" --output none
if ! az acr show --name "$REGISTRY_NAME" --resource-group "$RESOURCE_GROUP" --output none 2>/dev/null; then
  az acr create --name "$REGISTRY_NAME" --resource-group "$RESOURCE_GROUP" --sku Basic --output none
fi

echo "2/4 Image assistdesk:${IMAGE_TAG}"
az acr build --registry "$REGISTRY_NAME" --image "assistdesk:${IMAGE_TAG}" --file Dockerfile .
LOGIN_SERVER="$(az acr show --name "$REGISTRY_NAME" --query loginServer --output tsv)"

echo "3/4 infra/main.bicep"
az deployment group create \
  --resource-group "$RESOURCE_GROUP" \
  --name "$DEPLOYMENT_NAME" \
  --template-file infra/main.bicep \
  --parameters @infra/main.parameters.json \
  --parameters containerImage="${LOGIN_SERVER}/assistdesk:${IMAGE_TAG}" \
               registryName="$REGISTRY_NAME" \
               technicianGroupId="$TECHNICIAN_GROUP_ID" \
               createAppRegistration="$CREATE_APP_REGISTRATION" \
               graphAppClientId="$GRAPH_APP_CLIENT_ID" \
  --output none

output() {
  az deployment group show --resource-group "$RESOURCE_GROUP" --name "$DEPLOYMENT_NAME" \
    --query "properties.outputs.$1.value" --output tsv
}
BOT_ID="$(output botId)"
BOT_DOMAIN="$(output botDomain)"
AZURE_CLIENT_ID="$(output graphClientId)"

echo "4/4 Teams app package for bot ${BOT_ID} at ${BOT_DOMAIN}"
BOT_ID="$BOT_ID" BOT_DOMAIN="$BOT_DOMAIN" AZURE_CLIENT_ID="$AZURE_CLIENT_ID" SSO_APP_ID_URI="${SSO_APP_ID_URI:-}" \
  npm run --silent package

echo "Done. Check https://${BOT_DOMAIN}/readyz, then upload appPackage/build/appPackage.zip in the Teams admin center (docs/ADMIN.md, Install the Teams app)."
