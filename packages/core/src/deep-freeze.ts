/**
 * Freezes an object and everything reachable from it, so that a value shared between requests (a
 * cached token header or claims, a resolved configuration) cannot be changed by one of them. Stops
 * at objects that are already frozen (their members were frozen with them). Returns `value`.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
  return value;
}
