import { isJsonRecord, type JsonValue } from './sanitize.ts'

/**
 * Typed field readers over sanitised JSON, and the parse result every protocol parser returns.
 * Readers throw `FieldError`; parsers catch it and return `{ ok: false }`: nothing escapes.
 */

export type ParseErrorCode =
  | 'not-an-object'
  | 'too-large'
  | 'not-plain-data'
  | 'wrong-source'
  | 'wrong-version'
  | 'unknown-type'
  | 'not-allowed'
  | 'invalid-field'

export interface ParseError {
  code: ParseErrorCode
  detail: string
}

export type ParseResult<T> = { ok: true; message: T; truncated: string[] } | { ok: false; error: ParseError }

export type JsonRecord = { [key: string]: JsonValue }

export class FieldError extends Error {
  constructor(readonly field: string, expectation: string) {
    super(`${field}: ${expectation}`)
  }
}

export function fail<T>(code: ParseErrorCode, detail: string): ParseResult<T> {
  return { ok: false, error: { code, detail } }
}

const ID = /^[A-Za-z0-9_.:-]{1,100}$/
/** Schemes a panel may show as a link or fetch nothing from; `javascript:` and `data:` never pass. */
const SAFE_URL = /^(https?|file):/i
export const MAX_URL_CHARS = 8192

export function str(record: JsonRecord, key: string, max = 2048): string {
  const value = record[key]
  if (typeof value !== 'string' || value.length > max) throw new FieldError(key, `a string of at most ${max} characters`)
  return value
}

export function strOrNull(record: JsonRecord, key: string, max = 2048): string | null {
  return record[key] === null ? null : str(record, key, max)
}

export function num(record: JsonRecord, key: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const value = record[key]
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new FieldError(key, `a number in [${min}, ${max}]`)
  return value
}

export function numOrNull(record: JsonRecord, key: string, min?: number, max?: number): number | null {
  return record[key] === null ? null : num(record, key, min, max)
}

export function int(record: JsonRecord, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = num(record, key, min, max)
  if (!Number.isInteger(value)) throw new FieldError(key, 'an integer')
  return value
}

export function bool(record: JsonRecord, key: string): boolean {
  const value = record[key]
  if (typeof value !== 'boolean') throw new FieldError(key, 'a boolean')
  return value
}

export function oneOf<const T extends string>(record: JsonRecord, key: string, values: readonly T[]): T {
  const value = record[key]
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw new FieldError(key, `one of ${values.join(', ')}`)
  return value as T
}

export function obj(record: JsonRecord, key: string): JsonRecord {
  const value = record[key]
  if (!isJsonRecord(value)) throw new FieldError(key, 'an object')
  return value
}

export function objOrNull(record: JsonRecord, key: string): JsonRecord | null {
  return record[key] === null ? null : obj(record, key)
}

export function arr(record: JsonRecord, key: string): JsonValue[] {
  const value = record[key]
  if (!Array.isArray(value)) throw new FieldError(key, 'an array')
  return value
}

export function id(record: JsonRecord, key = 'id'): string {
  const value = str(record, key, 100)
  if (!ID.test(value)) throw new FieldError(key, 'an id of letters, digits and _.:-')
  return value
}

export function url(record: JsonRecord, key: string): string {
  const value = str(record, key, MAX_URL_CHARS)
  if (!SAFE_URL.test(value)) throw new FieldError(key, 'an http(s) or file URL')
  return value
}

export function asRecord(value: JsonValue | undefined, field: string): JsonRecord {
  if (!isJsonRecord(value)) throw new FieldError(field, 'an object')
  return value
}
