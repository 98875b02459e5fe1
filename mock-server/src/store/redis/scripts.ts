import type { Redis } from 'ioredis'

/**
 * Each store operation that reads and then writes is one Lua script: Redis runs a script alone,
 * so it is atomic across every instance sharing the store, and it costs one round trip.
 * Timestamps travel as decimal strings; `%.0f` formats a Lua number back without an exponent.
 * A script that derives a key from a value it read (an id behind an index) cannot declare that
 * key up front: these scripts are for a single Redis node, not Redis Cluster.
 */
const scripts = {
  /** KEYS: session, the user's session set[, the session it replaces]. ARGV: id, userId, csrfToken, createdAt, lastSeenAt, absoluteExpiresAt, gcAt */
  sessionInsert: `
    if KEYS[3] then redis.call('DEL', KEYS[3]) end
    redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'csrfToken', ARGV[3], 'createdAt', ARGV[4], 'lastSeenAt', ARGV[5], 'absoluteExpiresAt', ARGV[6])
    redis.call('PEXPIREAT', KEYS[1], ARGV[7])
    redis.call('SADD', KEYS[2], ARGV[1])
    redis.call('PEXPIREAT', KEYS[2], ARGV[7], 'GT')
    redis.call('PEXPIREAT', KEYS[2], ARGV[7], 'NX')`,
  /** KEYS: session. ARGV: now, idleTimeoutMs, gcMarginMs. The rule is sessionExpired() in domain/session-expiry.ts. */
  sessionTouch: `
    local s = redis.call('HMGET', KEYS[1], 'userId', 'csrfToken', 'createdAt', 'lastSeenAt', 'absoluteExpiresAt')
    if not s[1] then return nil end
    local now, idle, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(s[5])
    if now >= absolute or now - tonumber(s[4]) >= idle then
      redis.call('DEL', KEYS[1])
      return 'expired'
    end
    redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
    redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', math.min(now + idle, absolute) + tonumber(ARGV[3])))
    return { s[1], s[2], s[3], ARGV[1], s[5] }`,
  /** KEYS: the user's session set. ARGV: session key prefix. */
  sessionDeleteUser: `
    local count = 0
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do count = count + redis.call('DEL', ARGV[1] .. id) end
    redis.call('DEL', KEYS[1])
    return count`,
  /** KEYS: family, its first token digest, the user's family set. ARGV: id, userId, transport, csrfToken, createdAt, absoluteExpiresAt, idleExpiresAt, currentHash, gcAt, client, jkt */
  familyInsert: `
    redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'transport', ARGV[3], 'csrfToken', ARGV[4], 'createdAt', ARGV[5],
      'absoluteExpiresAt', ARGV[6], 'idleExpiresAt', ARGV[7], 'currentHash', ARGV[8], 'lastRotation', '', 'revoked', '0', 'client', ARGV[10], 'jkt', ARGV[11])
    redis.call('PEXPIREAT', KEYS[1], ARGV[9])
    redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[9])
    redis.call('SADD', KEYS[3], ARGV[1])
    redis.call('PEXPIREAT', KEYS[3], ARGV[9], 'GT')
    redis.call('PEXPIREAT', KEYS[3], ARGV[9], 'NX')`,
  /** KEYS: token digest. ARGV: family key prefix. Answers the id, then the family's fields. */
  familyFindByHash: `
    local id = redis.call('GET', KEYS[1])
    if not id then return nil end
    local fields = redis.call('HGETALL', ARGV[1] .. id)
    if #fields == 0 then return nil end
    table.insert(fields, 1, id)
    return fields`,
  /**
   * KEYS: family, the new token digest. ARGV: id, fromHash, currentHash, idleExpiresAt, lastRotation.
   * The compare-and-set of a rotation (M29); the new digest lives as long as the family.
   */
  familyAdvance: `
    local state = redis.call('HMGET', KEYS[1], 'currentHash', 'revoked')
    if state[1] ~= ARGV[2] or state[2] ~= '0' then return 0 end
    redis.call('HSET', KEYS[1], 'currentHash', ARGV[3], 'idleExpiresAt', ARGV[4], 'lastRotation', ARGV[5])
    redis.call('SET', KEYS[2], ARGV[1], 'PXAT', string.format('%.0f', redis.call('PEXPIRETIME', KEYS[1])))
    return 1`,
  /** KEYS: family. Never creates a family that is not there. */
  familyRevoke: `
    if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'revoked', '1') end`,
  /** KEYS: the user's family set. ARGV: family key prefix. */
  familyRevokeUser: `
    local count = 0
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
      local key = ARGV[1] .. id
      if redis.call('HGET', key, 'revoked') == '0' then
        redis.call('HSET', key, 'revoked', '1')
        count = count + 1
      end
    end
    return count`,
  /** KEYS: code. ARGV: the code's grant as JSON, gcAt. */
  codeInsert: `
    redis.call('HSET', KEYS[1], 'grant', ARGV[1], 'spent', '0', 'replayed', '0', 'redemption', '')
    redis.call('PEXPIREAT', KEYS[1], ARGV[2])`,
  /** KEYS: code. Marks it spent (and replayed, when it already was); answers grant, spent before, redemption. */
  codeSpend: `
    local c = redis.call('HMGET', KEYS[1], 'grant', 'spent', 'redemption')
    if not c[1] then return nil end
    if c[2] == '1' then redis.call('HSET', KEYS[1], 'replayed', '1') end
    redis.call('HSET', KEYS[1], 'spent', '1')
    return { c[1], c[2], c[3] }`,
  /** KEYS: code. ARGV: redemption as JSON. Answers 1, or 0 when the code was presented again meanwhile. */
  codeRedeem: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('HSET', KEYS[1], 'redemption', ARGV[1])
    if redis.call('HGET', KEYS[1], 'replayed') == '1' then return 0 end
    return 1`,
  /**
   * KEYS: session, its family set, the user's session set[, the session it replaces, that one's family set].
   * ARGV: id, the session as JSON, gcAt. The replaced session's families move to the new one.
   */
  providerSessionInsert: `
    if KEYS[4] then
      redis.call('DEL', KEYS[4])
      if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('RENAME', KEYS[5], KEYS[2]) end
    end
    redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
    if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) end
    redis.call('SADD', KEYS[3], ARGV[1])
    redis.call('PEXPIREAT', KEYS[3], ARGV[3], 'GT')
    redis.call('PEXPIREAT', KEYS[3], ARGV[3], 'NX')`,
  /** KEYS: session, its family set. ARGV: family id. Only while the session exists. */
  providerSessionBind: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('SADD', KEYS[2], ARGV[1])
    redis.call('PEXPIREAT', KEYS[2], string.format('%.0f', redis.call('PEXPIRETIME', KEYS[1])))
    return 1`,
  /** KEYS: session, its family set. Answers the family ids. */
  providerSessionDelete: `
    local families = redis.call('SMEMBERS', KEYS[2])
    redis.call('DEL', KEYS[1], KEYS[2])
    return families`,
  /** KEYS: the user's session set. ARGV: session key prefix, family-set key prefix. */
  providerSessionDeleteUser: `
    local count = 0
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
      count = count + redis.call('DEL', ARGV[1] .. id)
      redis.call('DEL', ARGV[2] .. id)
    end
    redis.call('DEL', KEYS[1])
    return count`,
  /** KEYS: the proof. ARGV: expiresAt, now, ttlMs. Answers 1 when the proof was not held past now (backend clock). */
  dpopClaim: `
    local held = redis.call('GET', KEYS[1])
    if held and tonumber(held) > tonumber(ARGV[2]) then return 0 end
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
    return 1`,
  /** KEYS: BFF session[, the session it replaces]. ARGV: data, lastSeenAt, absoluteExpiresAt, tokens, gcAt. */
  bffSessionInsert: `
    if KEYS[2] then redis.call('DEL', KEYS[2]) end
    redis.call('HSET', KEYS[1], 'data', ARGV[1], 'lastSeenAt', ARGV[2], 'absoluteExpiresAt', ARGV[3], 'tokens', ARGV[4], 'version', '0', 'claimOwner', '', 'claimUntil', '0')
    redis.call('PEXPIREAT', KEYS[1], ARGV[5])`,
  /** KEYS: BFF session. ARGV: now, idleTimeoutMs, gcMarginMs. As sessionTouch; answers data, lastSeenAt, absoluteExpiresAt, tokens, version. */
  bffSessionTouch: `
    local s = redis.call('HMGET', KEYS[1], 'data', 'lastSeenAt', 'absoluteExpiresAt', 'tokens', 'version')
    if not s[1] then return nil end
    local now, idle, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(s[3])
    if now >= absolute or now - tonumber(s[2]) >= idle then
      redis.call('DEL', KEYS[1])
      return 'expired'
    end
    redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
    redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', math.min(now + idle, absolute) + tonumber(ARGV[3])))
    return { s[1], ARGV[1], s[3], s[4], s[5] }`,
  /** KEYS: BFF session. ARGV: version, owner, until, now. The refresh claim: a compare on the version, then a short lock. */
  bffClaimRefresh: `
    local s = redis.call('HMGET', KEYS[1], 'version', 'claimUntil')
    if not s[1] then return 'gone' end
    if s[1] ~= ARGV[1] then return 'moved' end
    if tonumber(s[2]) > tonumber(ARGV[4]) then return 'busy' end
    redis.call('HSET', KEYS[1], 'claimOwner', ARGV[2], 'claimUntil', ARGV[3])
    return 'claimed'`,
  /** KEYS: BFF session. ARGV: version, owner, tokens. Sets only at that version and for the claim's owner. */
  bffCompleteRefresh: `
    local s = redis.call('HMGET', KEYS[1], 'version', 'claimOwner')
    if not s[1] or s[1] ~= ARGV[1] or s[2] ~= ARGV[2] then return 0 end
    redis.call('HSET', KEYS[1], 'tokens', ARGV[3], 'version', tostring(tonumber(ARGV[1]) + 1), 'claimOwner', '', 'claimUntil', '0')
    return 1`,
  /** KEYS: BFF session. ARGV: owner. */
  bffReleaseRefresh: `
    if redis.call('HGET', KEYS[1], 'claimOwner') == ARGV[1] then redis.call('HSET', KEYS[1], 'claimOwner', '', 'claimUntil', '0') end`,
  /** KEYS: BFF session. Answers what it held, as bffSessionTouch does, and deletes it. */
  bffSessionDelete: `
    local s = redis.call('HMGET', KEYS[1], 'data', 'lastSeenAt', 'absoluteExpiresAt', 'tokens', 'version')
    if not s[1] then return nil end
    redis.call('DEL', KEYS[1])
    return s`,
} as const

export type ScriptName = keyof typeof scripts

/** A script reply as ioredis gives it: nil is null, integers are numbers, arrays of strings. */
export type ScriptReply = null | number | string | string[]

export type RunScript = (name: ScriptName, keys: string[], args: Array<string | number>) => Promise<ScriptReply>

/**
 * Registers the scripts (ioredis sends EVALSHA, and EVAL when Redis answers NOSCRIPT, as it does
 * after a restart empties its script cache) and returns one typed way to call them.
 */
export function defineScripts(client: Redis): RunScript {
  for (const [name, lua] of Object.entries(scripts)) client.defineCommand(name, { lua })
  const callable = client as unknown as Record<ScriptName, (...args: Array<string | number>) => Promise<ScriptReply>>
  return (name, keys, args) => callable[name](keys.length, ...keys, ...args)
}
