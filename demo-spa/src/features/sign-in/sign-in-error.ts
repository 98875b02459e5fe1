import { isAuthError } from '@authlens/sdk'

/** A sentence for a person, from the SDK's typed error. */
export function signInError(error: unknown): string {
  if (!isAuthError(error)) return 'Sign-in failed: something unexpected happened.'
  switch (error.code) {
    case 'invalid_credentials':
      return 'Sign-in failed: wrong username or password.'
    case 'too_many_attempts':
      return `Sign-in failed: too many attempts${error.retryAfter ? `; try again in ${error.retryAfter} s` : ''}.`
    case 'login_required':
      return 'Not signed in at the provider (login_required): sign in with AuthLens ID first, here or in the other app.'
    case 'network':
    case 'timeout':
      return 'Sign-in failed: the server could not be reached.'
    default:
      return `Sign-in failed: ${error.code}.`
  }
}
