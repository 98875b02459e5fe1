import type { AuthorizationCode, CodeGrant, CodeRecords, CodeRedemption } from '../../domain/oidc/codes.ts'
import { guard, type CountingRedis } from './client.ts'
import { gcAt, type RedisKeys } from './keys.ts'
import { countKeys } from './scan.ts'
import type { RunScript } from './scripts.ts'

/**
 * Authorization codes as Redis hashes under their digest. Spending is one script, so of two
 * instances redeeming the same code at once exactly one finds it unspent. A code is kept a day
 * past its expiry (GC margin), so a late second redemption still revokes what the first one got.
 */
export class RedisCodeRecords implements CodeRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async insert(code: AuthorizationCode): Promise<void> {
    const { hash, spent: _spent, redemption: _redemption, ...grant } = code
    await guard(() => this.run('codeInsert', [this.keys.code(hash)], [JSON.stringify(grant), gcAt(code.expiresAt)]))
  }

  async spend(hash: string): Promise<AuthorizationCode | undefined> {
    const reply = await guard(() => this.run('codeSpend', [this.keys.code(hash)], []))
    if (!Array.isArray(reply)) return undefined
    const [grant = '{}', spent, redemption] = reply
    return {
      ...(JSON.parse(grant) as CodeGrant & { expiresAt: number }),
      hash,
      spent: spent === '1',
      ...(redemption ? { redemption: JSON.parse(redemption) as CodeRedemption } : {}),
    }
  }

  async redeem(hash: string, redemption: CodeRedemption): Promise<boolean> {
    return (await guard(() => this.run('codeRedeem', [this.keys.code(hash)], [JSON.stringify(redemption)]))) === 1
  }

  count(): Promise<number> {
    return guard(() => countKeys(this.client, this.keys.codePrefix))
  }
}
