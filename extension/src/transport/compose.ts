import { envelope, type MessageFrom, type Sender } from '../protocol/messages.ts'
import { createIdSource } from './ids.ts'

/** A message's own fields, without the envelope every message of one sender shares. */
export type MessageBody<M> = M extends unknown ? Omit<M, 'source' | 'version' | 'id'> : never

/** Builds messages for one sender: the fixed `source` literal, the version and a fresh id. */
export function messageComposer<S extends Sender>(sender: S, idPrefix: string): (body: MessageBody<MessageFrom<S>>) => MessageFrom<S> {
  const nextId = createIdSource(idPrefix)
  // Envelope + one member's body is that member; TypeScript cannot follow it through the generic S.
  return (body) => ({ ...envelope(sender, nextId()), ...body }) as unknown as MessageFrom<S>
}
