import { backendBench } from './backend.ts'
import { extensionBench } from './extension.ts'
import { sdkSuites } from './sdk.ts'
import type { Budget } from './measure.ts'

/** `npm run bench`: every figure is a ratio measured side by side in this one run. */
const suites = [backendBench, ...sdkSuites, extensionBench]
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
