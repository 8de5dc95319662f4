// The app registration's credential for Microsoft Graph, built from configuration: a client secret (the
// local demo), a certificate, or a user-assigned managed identity whose token is the client assertion of a
// federated identity credential on the app registration. No secret at all in the last case.
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  OnBehalfOfCredential,
  type TokenCredential,
} from '@azure/identity';
import type { AppConfig } from './config';

/** The audience Entra expects of a federated credential's token (workload identity federation). */
export const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

type GraphSettings = AppConfig['graph'];

/** A custom authority (sovereign cloud, local emulator) is taken as given, not discovered. */
function authorityOptions(graph: GraphSettings) {
  return { authorityHost: graph.authorityHost, disableInstanceDiscovery: Boolean(graph.authorityHost) };
}

/** The managed identity's token for Entra's token exchange: the client assertion, fetched (and cached) by the credential. */
function federatedAssertion(managedIdentity: TokenCredential): () => Promise<string> {
  return async () => {
    const token = await managedIdentity.getToken(TOKEN_EXCHANGE_SCOPE);
    if (!token) throw new Error('the managed identity returned no token for the token exchange');
    return token.token;
  };
}

export interface AppCredentials {
  /** The app's own credential (client credentials flow). */
  app: TokenCredential;
  /** A credential acting as the technician, on behalf of their Teams token (single sign-on). */
  onBehalfOf(userAssertionToken: string): TokenCredential;
  /** The managed identity itself, when one is configured: Azure Storage signs in with it. */
  managedIdentity?: TokenCredential;
}

export function appCredentials(graph: GraphSettings): AppCredentials {
  const { tenantId, clientId, credential } = graph;
  const authority = authorityOptions(graph);
  // OnBehalfOfCredential passes its options to MSAL, which honours disableInstanceDiscovery; its type omits it.
  const user = (userAssertionToken: string) => ({ tenantId, clientId, userAssertionToken, ...authority });
  switch (credential.kind) {
    case 'secret':
      return {
        app: new ClientSecretCredential(tenantId, clientId, credential.secret, authority),
        onBehalfOf: (token) => new OnBehalfOfCredential({ ...user(token), clientSecret: credential.secret }),
      };
    case 'certificate':
      return {
        app: new ClientCertificateCredential(tenantId, clientId, { certificatePath: credential.path, certificatePassword: credential.password }, authority),
        // The on-behalf-of credential reads the PEM itself and takes no password (config.ts refuses one with SSO).
        onBehalfOf: (token) => new OnBehalfOfCredential({ ...user(token), certificatePath: credential.path }),
      };
    case 'managedIdentity': {
      const managedIdentity = new ManagedIdentityCredential({ clientId: credential.clientId });
      const getAssertion = federatedAssertion(managedIdentity);
      return {
        app: new ClientAssertionCredential(tenantId, clientId, getAssertion, authority),
        onBehalfOf: (token) => new OnBehalfOfCredential({ ...user(token), getAssertion }),
        managedIdentity,
      };
    }
  }
}
