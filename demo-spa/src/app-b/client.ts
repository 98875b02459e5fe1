import { createAuthClient, jwt } from '@authlens/sdk'
import { devtools } from '@authlens/sdk/devtools'
import { createLoggedFetch } from '../app/logged-fetch.ts'
import { logSdkEvents } from '../app/sdk-events.ts'
import { oidcApp } from '../backend-options.ts'
import { oidcLogin } from '../features/sso/provider-sign-in.ts'

/**
 * App B's own client (the lab's runs use another `name`, so a person's app B tab never hears of
 * them across tabs): its own origin, so its own storage, and its API calls go to the provider's
 * origin cross-origin (bearer tokens, CORS). The same leeway as app A's, so its proactive refresh,
 * the one that meets a sign-out at the provider, comes every 20 s or so.
 */
export function createAppBClient(name = 'demo-app-b') {
  const client = createAuthClient({
    baseURL: `${oidcApp('b', location.port).issuer}/api`,
    name,
    strategy: jwt({ leewaySeconds: 10, login: oidcLogin('b') }),
    fetch: createLoggedFetch(),
    plugins: [devtools()],
  })
  logSdkEvents(client)
  return client
}
