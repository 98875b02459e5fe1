import { AxiosHeaders, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios'
import type { AuthClient, Prepared } from '@authlens/sdk'

type Config = InternalAxiosRequestConfig & { authlens?: { url: string; prepared: Prepared; retried?: boolean } }

const attached = new WeakMap<AxiosInstance, { request: number; response: number }>()

/**
 * The URL a request goes to, as axios builds it (buildFullPath: baseURL joined to a relative URL,
 * an absolute one kept unless `allowAbsoluteUrls` is false). `instance.getUri()` would give the
 * same plus the query, at two thirds of the adapter's cost per request (measured); the query
 * does not decide whether the credential may go.
 */
function requestURL({ baseURL, url = '', allowAbsoluteUrls }: InternalAxiosRequestConfig): string {
  const absolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)
  return baseURL && (!absolute || allowAbsoluteUrls === false) ? (url ? `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : baseURL) : url
}

/**
 * Gives an axios instance the client's behaviour: credential attached in scope only, one shared
 * refresh, each request retried at most once. The decisions are the client's; this only
 * translates between axios and them. Returns the instance.
 */
export function attachAuth(instance: AxiosInstance, auth: AuthClient): AxiosInstance {
  detachAuth(instance)
  const request = instance.interceptors.request.use(async (config: Config) => {
    const headers = new Headers()
    const url = requestURL(config)
    const prepared = await auth.prepare(url, config.method ?? 'get', headers)
    config.authlens = { url, prepared, retried: config.authlens?.retried }
    // axios hands interceptors its own AxiosHeaders; a copy only when another interceptor replaced it.
    if (!(config.headers instanceof AxiosHeaders)) config.headers = AxiosHeaders.from(config.headers)
    headers.forEach((value, name) => config.headers.set(name, value))
    if (prepared.credentials === 'include') config.withCredentials = true
    return config
  })
  const settle = ({ url, prepared, retried }: NonNullable<Config['authlens']>, answer: AxiosResponse) => {
    // Only a 401's challenge and a server's DPoP nonce (RFC 9449 §8.2) are ever read: no other header is copied.
    const headers = new Headers()
    for (const [name, value] of Object.entries(answer.headers ?? {})) {
      if (typeof value === 'string' && (answer.status === 401 || /^dpop-nonce$/i.test(name))) headers.set(name, value)
    }
    return auth.settle(url, { status: answer.status, headers }, prepared, retried === true)
  }
  const accepted = async (answer: AxiosResponse) => {
    const { authlens } = answer.config as Config
    if (authlens) await settle(authlens, answer)
    return answer
  }
  const recovered = async (error: { config?: Config; response?: AxiosResponse }) => {
    const { config, response: answer } = error
    if (!config?.authlens || !answer || !(await settle(config.authlens, answer))) throw error
    return instance.request({ ...config, authlens: { ...config.authlens, retried: true } } as Config)
  }
  const response = instance.interceptors.response.use(accepted, recovered)
  attached.set(instance, { request, response })
  return instance
}

/** Removes what `attachAuth` added. */
export function detachAuth(instance: AxiosInstance): void {
  const ids = attached.get(instance)
  if (!ids) return
  instance.interceptors.request.eject(ids.request)
  instance.interceptors.response.eject(ids.response)
  attached.delete(instance)
}
