// The bot's own identity as a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI): the Bot
// Connector tokens of its replies come from that identity, and from nothing else.
import { ManagedIdentityCredential, type DefaultAzureCredential } from '@azure/identity';
import { ManagedIdentityServiceClientCredentialsFactory, type ServiceClientCredentialsFactory } from 'botframework-connector';

/**
 * botbuilder's own factory for UserAssignedMSI asks DefaultAzureCredential, whose first choice is the
 * environment's AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: the Graph app
 * registration's credential, not the bot's identity. This one asks the managed identity only.
 */
export function botManagedIdentity(identityClientId: string): ServiceClientCredentialsFactory {
  return new ManagedIdentityServiceClientCredentialsFactory(identityClientId, {
    // Typed as DefaultAzureCredential by botbuilder, which only calls getToken on it.
    createAzureServiceTokenProvider: (clientId: string) => new ManagedIdentityCredential({ clientId }) as unknown as DefaultAzureCredential,
  });
}
