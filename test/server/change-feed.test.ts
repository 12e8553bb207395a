/**
 * The change feed port (server/services/change-feed) over a transport the test drives: a change
 * published reaches this process's subscribers at once and goes out on the transport; what the
 * transport receives is validated alike for every transport, so a malformed message is dropped
 * with a warning that does not repeat the message, and nothing a transport hands in can throw out
 * of the feed or stop a later event. The main process of `serve --workers N` relays a worker's event
 * to the other workers only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeEvent, ChangeTransport } from '../../packages/keyward/src/server/services/change-feed/index.ts';
import { createChangeFeed } from '../../packages/keyward/src/server/services/change-feed/index.ts';
import { relayChangeEvent } from '../../packages/keyward/src/server/workers/relay-change-event.ts';

/** A transport whose received messages the test injects, and which records what it sends. */
function fakeTransport(options: { failSend?: boolean } = {}) {
  const receivers = new Set<(message: unknown) => void>();
  const sent: ChangeEvent[] = [];
  let closed = false;
  const transport: ChangeTransport = {
    name: 'fake',
    async send(event) {
      if (options.failSend) throw new Error('connection lost');
      sent.push(event);
    },
    receive(handler) {
      receivers.add(handler);
      return () => receivers.delete(handler);
    },
    async close() {
      closed = true;
    },
  };
  return { transport, sent, closed: () => closed, deliver: (message: unknown) => { for (const receiver of receivers) receiver(message); } };
}

function recordingLogger() {
  const warnings: { details: Record<string, unknown>; message: string }[] = [];
  return { warnings, logger: { warn: (details: Record<string, unknown>, message: string) => { warnings.push({ details, message }); } } };
}

test('a published change reaches this process\'s subscribers before publish returns, and goes out on the transport', async () => {
  const { transport, sent } = fakeTransport();
  const { logger, warnings } = recordingLogger();
  const feed = createChangeFeed({ transport, logger });
  const seen: ChangeEvent[] = [];
  feed.subscribe((event) => seen.push(event));
  feed.publish({ type: 'client', clientId: 'c1' });
  assert.deepEqual(seen, [{ type: 'client', clientId: 'c1' }], 'delivered at once');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, [{ type: 'client', clientId: 'c1' }]);
  assert.deepEqual(warnings, []);
});

test('well-formed messages from the transport reach the subscribers, with identifiers only', () => {
  const { transport, deliver } = fakeTransport();
  const feed = createChangeFeed({ transport, logger: recordingLogger().logger });
  const seen: ChangeEvent[] = [];
  feed.subscribe((event) => seen.push(event));
  deliver({ type: 'client', clientId: 'c2', origin: 'elsewhere', jwk: { d: 'private' } });
  deliver({ type: 'signing-keys' });
  assert.deepEqual(seen, [{ type: 'client', clientId: 'c2' }, { type: 'signing-keys' }]);
});

test('a malformed message from the transport is dropped with a warning naming the transport, never the message, and never crashes', () => {
  const { transport, deliver } = fakeTransport();
  const { logger, warnings } = recordingLogger();
  const feed = createChangeFeed({ transport, logger });
  const seen: ChangeEvent[] = [];
  feed.subscribe((event) => seen.push(event));
  const circular: Record<string, unknown> = { type: 'client' };
  circular.clientId = circular;
  const malformed: unknown[] = [
    'not json', 'eyJhbGciOiJSUzI1NiJ9.secret-token', undefined, null, 42, [1, 2], ['client', 'c1'],
    { type: 'client' }, { type: 'client', clientId: 5 }, { type: 'keys', clientId: 'c' }, { type: 'drop-all' }, { clientId: 'c' }, circular,
  ];
  for (const message of malformed) assert.doesNotThrow(() => deliver(message));
  assert.deepEqual(seen, [], 'nothing reached a cache');
  assert.equal(warnings.length, malformed.length, 'one warning per dropped message');
  for (const warning of warnings) {
    assert.match(warning.message, /malformed change event/);
    assert.deepEqual(warning.details, { transport: 'fake' });
  }
  // The feed still works after the junk.
  deliver({ type: 'client', clientId: 'c3' });
  assert.deepEqual(seen, [{ type: 'client', clientId: 'c3' }]);
});

test('a subscriber that throws does not stop the others, nor the publisher; it is logged', () => {
  const { logger, warnings } = recordingLogger();
  const feed = createChangeFeed({ logger });
  const seen: string[] = [];
  feed.subscribe(() => { throw new Error('broken cache'); });
  feed.subscribe((event) => seen.push(event.type));
  assert.doesNotThrow(() => feed.publish({ type: 'signing-keys' }));
  assert.deepEqual(seen, ['signing-keys']);
  assert.equal(warnings.length, 1);
});

test('a transport that cannot send: the change still applies here, the failure is a warning, publish does not throw', async () => {
  const { transport } = fakeTransport({ failSend: true });
  const { logger, warnings } = recordingLogger();
  const feed = createChangeFeed({ transport, logger });
  const seen: ChangeEvent[] = [];
  feed.subscribe((event) => seen.push(event));
  assert.doesNotThrow(() => feed.publish({ type: 'client', clientId: 'c4' }));
  assert.equal(seen.length, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /could not publish/);
  assert.equal(warnings[0]!.details.transport, 'fake');
});

test('unsubscribe and close: no more events, the transport is closed', async () => {
  const { transport, deliver, closed } = fakeTransport();
  const feed = createChangeFeed({ transport, logger: recordingLogger().logger });
  let seen = 0;
  const stop = feed.subscribe(() => { seen += 1; });
  stop();
  feed.publish({ type: 'signing-keys' });
  assert.equal(seen, 0);
  feed.subscribe(() => { seen += 1; });
  await feed.close();
  deliver({ type: 'signing-keys' });
  assert.equal(seen, 0);
  assert.ok(closed());
});

test('the main process of serve --workers passes a worker\'s event to every other worker, and the CLI\'s to all', () => {
  const workers = new Set(['w1', 'w2', 'w3']);
  const fromWorker: string[] = [];
  relayChangeEvent(workers, 'w2', (worker) => fromWorker.push(worker));
  assert.deepEqual(fromWorker, ['w1', 'w3'], 'the sender\'s feed delivered it already');
  const fromCli: string[] = [];
  relayChangeEvent(workers, undefined, (worker) => fromCli.push(worker));
  assert.deepEqual(fromCli, ['w1', 'w2', 'w3']);
});
