import { AxiosHeaders, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios'
import type { AuthClient, Prepared } from '@authlens/sdk'

type Config = InternalAxiosRequestConfig & { authlensPrepared?: Prepared; authlensRetried?: boolean }

const attached = new WeakMap<AxiosInstance, { request: number; response: number }>()

/**
 * Gives an axios instance the client's behaviour: credential attached in scope only, one shared
 * refresh, each request retried at most once. The decisions are the client's; this only
 * translates between axios and them. Returns the instance.
 */
export function attachAuth(instance: AxiosInstance, auth: AuthClient): AxiosInstance {
  detachAuth(instance)
  const request = instance.interceptors.request.use(async (config: Config) => {
    const headers = new Headers()
    const prepared = await auth.prepare(instance.getUri(config), config.method ?? 'get', headers)
    config.authlensPrepared = prepared
    config.headers = AxiosHeaders.from(config.headers)
    headers.forEach((value, name) => config.headers.set(name, value))
    if (prepared.credentials === 'include') config.withCredentials = true
    return config
  })
  const settle = (config: Config, answer: AxiosResponse) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(answer.headers ?? {})) if (typeof value === 'string') headers.set(name, value)
    return auth.settle(instance.getUri(config), { status: answer.status, headers }, config.authlensPrepared!, config.authlensRetried === true)
  }
  const accepted = async (answer: AxiosResponse) => {
    const config = answer.config as Config
    if (config.authlensPrepared) await settle(config, answer)
    return answer
  }
  const recovered = async (error: { config?: Config; response?: AxiosResponse }) => {
    const { config, response: answer } = error
    if (!config?.authlensPrepared || !answer || !(await settle(config, answer))) throw error
    return instance.request({ ...config, authlensRetried: true } as Config)
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
