import { backendBench } from './backend.ts'
import { extensionBench } from './extension.ts'
import { scaleBench } from './scale/index.ts'
import { sdkSuites } from './sdk.ts'
import type { Budget } from './measure.ts'

/**
 * `npm run bench [-- section…]`: every figure is a ratio measured side by side in this one run.
 * Sections: backend, sdk, extension, scale (real clusters: needs redis-server); none means all.
 */
const sections: Record<string, Array<() => Promise<{ report: string; budgets: Budget[] }>>> = {
  backend: [backendBench],
  sdk: sdkSuites,
  extension: [extensionBench],
  scale: [scaleBench],
}
const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !(name in sections))
if (unknown.length > 0) {
  console.error(`unknown bench section ${unknown.join(', ')}; sections: ${Object.keys(sections).join(', ')}`)
  process.exit(2)
}
const suites = (asked.length > 0 ? asked : Object.keys(sections)).flatMap((name) => sections[name]!)
const budgets: Budget[] = []

for (const suite of suites) {
  const result = await suite()
  console.log(`${result.report}\n`)
  budgets.push(...result.budgets)
}

console.log('## Budgets')
for (const budget of budgets) console.log(`${budget.ok ? 'ok  ' : 'FAIL'} ${budget.description}`)
const failed = budgets.filter((budget) => !budget.ok).length
console.log(`\n${budgets.length - failed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
