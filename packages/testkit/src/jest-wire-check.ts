import { checkFetchedResponses, takeWireViolations } from './wire-check';

/**
 * Jest setup of the integration suites: every socket frame a TestSocket receives and every HTTP
 * response a test fetches is checked against the wire's schemas, and a test whose traffic breaks
 * them fails, whatever it asserted itself.
 */
checkFetchedResponses();

afterEach(async () => {
  const violations = await takeWireViolations();
  if (violations.length > 0) throw new Error(`traffic that breaks the wire's schemas:\n${violations.slice(0, 20).join('\n')}`);
});
