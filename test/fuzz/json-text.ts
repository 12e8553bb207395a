/**
 * An arbitrary of JSON texts that JSON.parse accepts, written the many ways one value can be spelled:
 * member names escaped or not (`"\u0061"` is `"a"`, `"\/"` is `"/"`), whitespace between every
 * token, nested objects and arrays, strings full of the characters a scanner could trip on
 * (`"`, `\`, `,`, `{`, `}`), and objects whose member names repeat. Each text comes with what a
 * reader needs to judge it: whether its top level is an object and whether that object repeats a
 * member name (compared after unescaping).
 */
import fc from 'fast-check';

/** One generated JSON text. */
export interface JsonText {
  readonly text: string;
  /** The top-level value is an object. */
  readonly topLevelObject: boolean;
  /** The top-level object has a member name more than once (after unescaping). */
  readonly topLevelDuplicate: boolean;
  /** Some nested object has a member name more than once. */
  readonly nestedDuplicate: boolean;
}

type Node =
  | { readonly kind: 'object'; readonly members: readonly Member[]; readonly ws: readonly string[] }
  | { readonly kind: 'array'; readonly items: readonly Node[]; readonly ws: string }
  | { readonly kind: 'literal'; readonly text: string };
interface Member { readonly name: string; readonly spelled: string; readonly value: Node; readonly ws: readonly string[] }

const WHITESPACE = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ', '  ');
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\r': '\\r' };

/** Names that collide often, and names made of the characters a member scanner must skip. */
const NAMES = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'alg', 'kid', 'typ', 'iss', '"', '\\', '\\"', ',', '}', '{', ':', '[', ']', 'a b', 'é', '\u{1F600}', '__proto__', 'constructor', '', '/', '\n', 'a"}', ',"a":') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: 'binary' }) },
);

/** The JSON string literal of `value`, each code unit spelled as chosen (literal, short or \u escape). */
function spell(value: string, choices: readonly number[]): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const code = value.charCodeAt(i);
    const choice = choices[i % Math.max(1, choices.length)] ?? 0;
    const unicode = `\\u${code.toString(16).padStart(4, '0')}`;
    // RFC 8259 §7: quote, backslash and control characters must be escaped; a lone surrogate is
    // escaped too, so that the text survives UTF-8 encoding unchanged.
    const mustEscape = c === '"' || c === '\\' || code < 0x20 || (code >= 0xd800 && code <= 0xdfff);
    if (mustEscape) out += choice === 0 && SHORT_ESCAPES[c] !== undefined ? SHORT_ESCAPES[c] : choice === 2 ? unicode.toUpperCase().replace('\\U', '\\u') : unicode;
    else if (choice === 0) out += c;
    else if (choice === 1) out += unicode;
    else out += c === '/' ? '\\/' : unicode.toUpperCase().replace('\\U', '\\u');
  }
  return `${out}"`;
}

const spelledString = (names: fc.Arbitrary<string>) => fc.tuple(names, fc.array(fc.integer({ min: 0, max: 5 }).map((n) => (n > 2 ? 0 : n)), { maxLength: 8 }))
  .map(([name, choices]) => ({ name, spelled: spell(name, choices) }));

const LITERAL = fc.oneof(
  fc.constantFrom('true', 'false', 'null', '0', '-1.5e3', '1E+2', '12345678901234567890', '"a,b}"', '"\\"{"', '"\\\\"', '"[\\"x\\",{"', '""'),
  spelledString(fc.oneof(NAMES, fc.string({ maxLength: 12 }))).map((s) => s.spelled),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
).map((text): Node => ({ kind: 'literal', text }));

const { node } = fc.letrec<{ node: Node; object: Node; array: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, LITERAL, tie('object'), tie('array')),
  object: fc.record({
    members: fc.array(fc.record({
      key: spelledString(NAMES),
      value: tie('node'),
      ws: fc.array(WHITESPACE, { minLength: 4, maxLength: 4 }),
    }).map(({ key, value, ws }): Member => ({ name: key.name, spelled: key.spelled, value, ws })), { maxLength: 6 }),
    ws: fc.array(WHITESPACE, { minLength: 1, maxLength: 1 }),
  }).map(({ members, ws }): Node => ({ kind: 'object', members, ws })),
  array: fc.record({ items: fc.array(tie('node'), { maxLength: 4 }), ws: WHITESPACE }).map(({ items, ws }): Node => ({ kind: 'array', items, ws })),
}));

function write(n: Node): string {
  if (n.kind === 'literal') return n.text;
  if (n.kind === 'array') return `[${n.ws}${n.items.map(write).join(`,${n.ws}`)}]`;
  if (n.members.length === 0) return `{${n.ws[0]}}`;
  return `{${n.members.map((m) => `${m.ws[0]}${m.spelled}${m.ws[1]}:${m.ws[2]}${write(m.value)}${m.ws[3]}`).join(',')}}`;
}

const repeats = (members: readonly Member[]) => new Set(members.map((m) => m.name)).size !== members.length;

function nestedRepeat(n: Node, top: boolean): boolean {
  if (n.kind === 'literal') return false;
  if (n.kind === 'array') return n.items.some((item) => nestedRepeat(item, false));
  return (!top && repeats(n.members)) || n.members.some((m) => nestedRepeat(m.value, false));
}

/** Objects at the top level most of the time (what the JWS parts are), any JSON value otherwise. */
export const jsonText: fc.Arbitrary<JsonText> = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: node.filter((n) => n.kind === 'object') }, { weight: 1, arbitrary: node }),
  WHITESPACE,
  WHITESPACE,
).map(([n, before, after]) => ({
  text: `${before}${write(n)}${after}`,
  topLevelObject: n.kind === 'object',
  topLevelDuplicate: n.kind === 'object' && repeats(n.members),
  nestedDuplicate: nestedRepeat(n, true),
}));
