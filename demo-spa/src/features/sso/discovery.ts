/** The provider's endpoints the demo names or calls itself, from its discovery document. */
export interface ProviderEndpoints {
  authorization_endpoint: string
  token_endpoint: string
}

/** `<issuer>/.well-known/openid-configuration`, checked for the endpoints the demo uses. */
export async function discoverProvider(issuer: string): Promise<ProviderEndpoints> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`)
  const body = (await response.json().catch(() => null)) as Partial<Record<keyof ProviderEndpoints, unknown>> | null
  if (!response.ok || typeof body?.authorization_endpoint !== 'string' || typeof body.token_endpoint !== 'string') {
    throw new Error(`the provider's discovery document answered ${response.status} without its endpoints`)
  }
  return { authorization_endpoint: body.authorization_endpoint, token_endpoint: body.token_endpoint }
}
