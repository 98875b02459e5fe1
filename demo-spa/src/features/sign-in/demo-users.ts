/** The mock backend's seeded users; the page shows them so anyone can sign in. */
export const DEMO_USERS = [
  { username: 'alice', password: 'wonderland', role: 'user' },
  { username: 'bob', password: 'builder-bob', role: 'user' },
  { username: 'carol', password: 'carol-admin', role: 'admin' },
] as const
