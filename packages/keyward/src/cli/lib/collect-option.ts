/** Commander parser for a repeatable option (`--claim a=1 --claim b=2`): collects every value. */
export function collectOption(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
